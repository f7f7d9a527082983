/*
 * Batched float32 matrix product for @loop/models' wasm backend: C[e] = op(A[e]) op(B[e]),
 * row-major, e = 0..batch-1, op = identity or transpose. Built to a tiny WebAssembly module
 * (scripts/build-native.mjs) that imports tfjs-backend-wasm's own linear memory and works on
 * tensors in place, by address.
 *
 * Why: tfjs-backend-wasm 4.22 hands a product to XNNPACK only at batch 1, creating an XNNPACK
 * operator and packing the right operand on every call with a new tensor; attention's small
 * batched products ([B*H, T, d] x [B*H, d, T]) run at 2-5 GFLOP/s that way. This kernel: a 6x8
 * register tile (12 accumulators) swept over B's 8-column panels, 256 k-steps at a time, each
 * block of a panel packed contiguously so that it stays in L1, with A read 4 k-steps at a time
 * (one vector load per row, then lane splats), as XNNPACK's wasmsimd "splat" kernels do. It adds
 * up each output over k in order with a separate multiply and add, like them, so its results are
 * bitwise the same as tfjs' products (tested). A second build fuses each multiply-add (LOOP_FUSED
 * below): the same order over k, one rounding per step instead of two, 20-30% faster products. A
 * transposed operand is first copied, transposed, into a caller-provided scratch buffer (read in
 * place, strided, a transposed A ran at ~25 instead of ~37 GFLOP/s): the transposes cost no
 * tensor, no kernel call and (under autodiff) no gradient.
 *
 * Constraints that keep it safe inside another module's memory: no data segments, no start
 * function, no use of globals (so no shadow stack: every local lives in a wasm local), no calls to
 * libc. The build script rejects a module that breaks the first three; the tests check the results.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define MR 6

typedef v128_t f4;
#define ZERO wasm_f32x4_splat(0.0f)
#ifdef LOOP_FUSED
/*
 * The fused build (scripts/build-native.mjs, -DLOOP_FUSED -mrelaxed-simd): relaxed SIMD's
 * f32x4.relaxed_madd, x * y + acc with one rounding where the CPU has FMA (x86 FMA3, every arm64),
 * one instruction instead of two. Clang 14 knows it only by its prototype name and opcode
 * (f32x4.fma, 0xfd 0xaf); the build script rewrites that opcode to the standard one (0xfd 0x105).
 */
#if __has_builtin(__builtin_wasm_relaxed_madd_f32x4)
#define MADD(acc, x, y) acc = __builtin_wasm_relaxed_madd_f32x4(x, y, acc)
#else
#define MADD(acc, x, y) acc = __builtin_wasm_fma_f32x4(x, y, acc)
#endif
#else
#define MADD(acc, x, y) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(x, y))
#endif

#define LANE(v, l) wasm_i32x4_shuffle(v, v, l, l, l, l)

/* C[i, j..j+8] += a_r[k] * B[k, j..j+8] for the 6 rows r of the tile, for one k. */
#define STEP6(x0, x1, x2, x3, x4, x5)                                                              \
  {                                                                                                \
    const f4 b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);                                   \
    b += ldb;                                                                                      \
    MADD(c00, x0, b0); MADD(c01, x0, b1);                                                          \
    MADD(c10, x1, b0); MADD(c11, x1, b1);                                                          \
    MADD(c20, x2, b0); MADD(c21, x2, b1);                                                          \
    MADD(c30, x3, b0); MADD(c31, x3, b1);                                                          \
    MADD(c40, x4, b0); MADD(c41, x4, b1);                                                          \
    MADD(c50, x5, b0); MADD(c51, x5, b1);                                                          \
  }

/* The accumulator for c[0..4): 0, or (acc) the partial sum of the previous k block. */
#define INIT(p) (acc ? wasm_v128_load(p) : ZERO)

/* 6 rows x 8 columns of C (acc: added to C's partial sums). */
static inline void tile6x8(const float *a, int lda, const float *b, int ldb, float *c, int ldc, int K, int acc) {
  f4 c00 = INIT(c), c01 = INIT(c + 4), c10 = INIT(c + ldc), c11 = INIT(c + ldc + 4);
  f4 c20 = INIT(c + 2 * ldc), c21 = INIT(c + 2 * ldc + 4), c30 = INIT(c + 3 * ldc), c31 = INIT(c + 3 * ldc + 4);
  f4 c40 = INIT(c + 4 * ldc), c41 = INIT(c + 4 * ldc + 4), c50 = INIT(c + 5 * ldc), c51 = INIT(c + 5 * ldc + 4);
  const float *a0 = a, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda, *a4 = a3 + lda, *a5 = a4 + lda;
  int k = 0;
  for (; k + 4 <= K; k += 4) {
    const f4 v0 = wasm_v128_load(a0 + k), v1 = wasm_v128_load(a1 + k), v2 = wasm_v128_load(a2 + k);
    const f4 v3 = wasm_v128_load(a3 + k), v4 = wasm_v128_load(a4 + k), v5 = wasm_v128_load(a5 + k);
    STEP6(LANE(v0, 0), LANE(v1, 0), LANE(v2, 0), LANE(v3, 0), LANE(v4, 0), LANE(v5, 0))
    STEP6(LANE(v0, 1), LANE(v1, 1), LANE(v2, 1), LANE(v3, 1), LANE(v4, 1), LANE(v5, 1))
    STEP6(LANE(v0, 2), LANE(v1, 2), LANE(v2, 2), LANE(v3, 2), LANE(v4, 2), LANE(v5, 2))
    STEP6(LANE(v0, 3), LANE(v1, 3), LANE(v2, 3), LANE(v3, 3), LANE(v4, 3), LANE(v5, 3))
  }
  for (; k < K; k++) {
    STEP6(wasm_f32x4_splat(a0[k]), wasm_f32x4_splat(a1[k]), wasm_f32x4_splat(a2[k]),
          wasm_f32x4_splat(a3[k]), wasm_f32x4_splat(a4[k]), wasm_f32x4_splat(a5[k]))
  }
  wasm_v128_store(c, c00); wasm_v128_store(c + 4, c01); c += ldc;
  wasm_v128_store(c, c10); wasm_v128_store(c + 4, c11); c += ldc;
  wasm_v128_store(c, c20); wasm_v128_store(c + 4, c21); c += ldc;
  wasm_v128_store(c, c30); wasm_v128_store(c + 4, c31); c += ldc;
  wasm_v128_store(c, c40); wasm_v128_store(c + 4, c41); c += ldc;
  wasm_v128_store(c, c50); wasm_v128_store(c + 4, c51);
}

/* `rows` (< 6) rows x 8 columns. */
static inline void rowsx8(int rows, const float *a, int lda, const float *b, int ldb, float *c, int ldc, int K,
                          int acc) {
  for (int r = 0; r < rows; r++) {
    f4 c0 = INIT(c + r * ldc), c1 = INIT(c + r * ldc + 4);
    const float *ar = a + r * lda, *bk = b;
    for (int k = 0; k < K; k++) {
      const f4 x = wasm_f32x4_splat(ar[k]);
      MADD(c0, x, wasm_v128_load(bk));
      MADD(c1, x, wasm_v128_load(bk + 4));
      bk += ldb;
    }
    wasm_v128_store(c + r * ldc, c0);
    wasm_v128_store(c + r * ldc + 4, c1);
  }
}

/*
 * The last cols (< 8) columns of C, starting at column j: B's block zero-padded to 8 columns in P,
 * each row tile computed into T (MR x 8 floats, holding C's partial sums when acc) and its first
 * cols columns copied back. The padding columns add up zeros that are never stored.
 */
static void tail_panel(const float *Ak, int K, const float *Bk, int N, float *C, int M, int kc, int acc, int j,
                       float *P, float *T) {
  const int cols = N - j;
  for (int k = 0; k < kc; k++)
    for (int q = 0; q < 8; q++) P[8 * k + q] = q < cols ? Bk[k * N + j + q] : 0.0f;
  for (int i = 0; i < M; i += MR) {
    const int rows = M - i < MR ? M - i : MR;
    float *Ci = C + i * N + j;
    if (acc)
      for (int r = 0; r < rows; r++)
        for (int q = 0; q < cols; q++) T[8 * r + q] = Ci[r * N + q];
    if (rows == MR) tile6x8(Ak + i * K, K, P, 8, T, 8, kc, acc);
    else rowsx8(rows, Ak + i * K, K, P, 8, T, 8, kc, acc);
    for (int r = 0; r < rows; r++)
      for (int q = 0; q < cols; q++) Ci[r * N + q] = T[8 * r + q];
  }
}

/*
 * C[M, N] = A[M, K] B[K, N], all row-major, in blocks of KC k-steps per 8-column panel of B. Each
 * block of a panel (KC x 8 floats, 8 KiB) is first packed contiguously into P, then every row tile
 * of A passes over it in L1. Read in place, its rows lie N floats apart and map to a few cache
 * sets (N = 1024: one 4 KiB stride), and over the whole K at once long products fell out of the
 * cache: the C256 step's transposed products ran at 16-30 GFLOP/s, packed and blocked at 34-35
 * (packages/bench/scripts/native-build-ab.ts). Each block adds to the previous block's float32 partial sums in C, so
 * every output is still added up over k in order from 0, as in one pass: bitwise the same result.
 */
#define KC 256
static void gemm(const float *A, const float *B, float *C, int M, int K, int N, float *P) {
  for (int k0 = 0; k0 == 0 || k0 < K; k0 += KC) {
    const int kc = K - k0 < KC ? K - k0 : KC, acc = k0 > 0;
    const float *Ak = A + k0, *Bk = B + k0 * N;
    int j = 0;
    for (; j + 8 <= N; j += 8) {
      for (int k = 0; k < kc; k++) {
        wasm_v128_store(P + 8 * k, wasm_v128_load(Bk + k * N + j));
        wasm_v128_store(P + 8 * k + 4, wasm_v128_load(Bk + k * N + j + 4));
      }
      int i = 0;
      for (; i + MR <= M; i += MR) tile6x8(Ak + i * K, K, P, 8, C + i * N + j, N, kc, acc);
      if (i < M) rowsx8(M - i, Ak + i * K, K, P, 8, C + i * N + j, N, kc, acc);
    }
    if (j < N) tail_panel(Ak, K, Bk, N, C, M, kc, acc, j, P, P + 8 * KC);
  }
}

/*
 * dst[K, N] = src[N, K] transposed: 4x4 blocks through registers (two rounds of interleaving
 * shuffles, which V8 lowers to unpack instructions), the edges element by element. A pure copy,
 * so results are unchanged; a scalar loop over 8x8 blocks took ~1 ns per element, a good share of
 * a weight gradient's time at n_embd 64 (A = [672, 64] transposed for every dW).
 */
static void transpose(const float *src, float *dst, int N, int K) {
  const int N4 = N & ~3, K4 = K & ~3;
  for (int j = 0; j < N4; j += 4) {
    const float *s0 = src + j * K, *s1 = s0 + K, *s2 = s1 + K, *s3 = s2 + K;
    for (int k = 0; k < K4; k += 4) {
      const f4 r0 = wasm_v128_load(s0 + k), r1 = wasm_v128_load(s1 + k);
      const f4 r2 = wasm_v128_load(s2 + k), r3 = wasm_v128_load(s3 + k);
      const f4 t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
      const f4 t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      float *d = dst + k * N + j;
      wasm_v128_store(d, wasm_i64x2_shuffle(t0, t2, 0, 2));
      wasm_v128_store(d + N, wasm_i64x2_shuffle(t0, t2, 1, 3));
      wasm_v128_store(d + 2 * N, wasm_i64x2_shuffle(t1, t3, 0, 2));
      wasm_v128_store(d + 3 * N, wasm_i64x2_shuffle(t1, t3, 1, 3));
    }
    for (int k = K4; k < K; k++) {
      dst[k * N + j] = s0[k];
      dst[k * N + j + 1] = s1[k];
      dst[k * N + j + 2] = s2[k];
      dst[k * N + j + 3] = s3[k];
    }
  }
  for (int j = N4; j < N; j++)
    for (int k = 0; k < K; k++) dst[k * N + j] = src[j * K + k];
}

/*
 * batch products op(A[e]) op(B[e]) of shape [M, N] with inner size K. a, b, c, scratch are byte
 * addresses in the shared memory; strideA and strideB are the element offsets between consecutive
 * entries (0 broadcasts that operand). transA: A[e] is stored [K, M]; transB: B[e] is stored
 * [N, K]. `scratch` holds M * K floats if transA, then K * N if transB, then KC * 8 floats for the
 * packed panel block and MR * 8 for a tile of the last (< 8) columns (nativeScratchFloats in
 * native-matmul.ts).
 */
__attribute__((export_name("batch_matmul_f32")))
void batch_matmul_f32(uint32_t a, uint32_t b, uint32_t c, int batch, int M, int K, int N, int strideA,
                      int strideB, int transA, int transB, uint32_t scratch) {
  const float *A = (const float *)(uintptr_t)a;
  const float *B = (const float *)(uintptr_t)b;
  float *C = (float *)(uintptr_t)c;
  float *SA = (float *)(uintptr_t)scratch;
  float *SB = SA + (transA ? M * K : 0);
  float *P = SB + (transB ? K * N : 0);
  for (int e = 0; e < batch; e++) {
    const float *Ae = A + e * strideA, *Be = B + e * strideB;
    // A broadcast operand (stride 0) is transposed once.
    if (transA && (e == 0 || strideA != 0)) transpose(Ae, SA, K, M);
    if (transB && (e == 0 || strideB != 0)) transpose(Be, SB, N, K);
    gemm(transA ? SA : Ae, transB ? SB : Be, C + e * M * N, M, K, N, P);
  }
}
