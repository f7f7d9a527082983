/*
 * GELU (GPT-2's tanh approximation) and its first three derivatives, float32, for @loop/models'
 * wasm backend, in one pass over memory:
 *
 *   order 0:  out = f(x)            f(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
 *   order k:  out = dy * f^(k)(x)   k = 1, 2, 3 (gradients of the orders below: see gelu-op.ts)
 *
 * Why: written with tfjs ops GELU takes six kernel calls forward and about twenty more for its
 * gradient (each one a pass over [tokens, 4 n_embd] and a tape entry), and double backprop doubles
 * that again. Here each order is one call.
 *
 * Math: 0.5 (1 + tanh u) = sigmoid(2u), so f(x) = x s with s = sigmoid(z), z = a x + b x^3,
 * a = 2 sqrt(2/pi), b = 0.044715 a. With p = s (1 - s) = sigmoid'(z) and z' = a + 3 b x^2,
 * z'' = 6 b x, z''' = 6 b:
 *   s'   = p z'
 *   s''  = p (1 - 2s) z'^2 + p z''
 *   s''' = p (1 - 6p) z'^3 + 3 p (1 - 2s) z' z'' + p z'''
 *   f' = s + x s',  f'' = 2 s' + x s'',  f''' = 3 s'' + x s'''.
 * sigmoid is computed from e = exp(-|z|) <= 1 (no overflow): s = 1/(1+e) for z >= 0, e/(1+e)
 * otherwise, and 1 - s the other way round, so neither s nor 1 - s loses digits to cancellation.
 * exp is Cephes' expf (Cody-Waite reduction, degree-5 polynomial, ~1 ulp) in SIMD.
 *
 * Same constraints as matmul.c: no data segments, no start function, no globals, no libc.
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef v128_t f4;

#define SPLAT(c) wasm_f32x4_splat(c)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

/* 2 sqrt(2/pi) and 0.044715 * 2 sqrt(2/pi), as float32 (the same constants gelu-op.ts uses). */
#define GELU_A 1.5957691216057308f
#define GELU_B 0.07135481627159073f

/*
 * exp(t) for t <= 0; 0 below -87.3 (where exp leaves float32's normal range). n = round(t / ln 2)
 * by the magic-bias trick (adding 1.5 * 2^23 + 127 rounds to an integer in the low mantissa bits,
 * which shifted left by 23 are the exponent bits of 2^n), as XNNPACK's exp kernels do.
 */
static inline f4 exp_nonpositive(f4 t) {
  const f4 tiny = wasm_f32x4_lt(t, SPLAT(-87.3f));
  t = wasm_f32x4_max(t, SPLAT(-87.3f));
  const f4 magic = SPLAT(12582912.0f + 127.0f);
  const f4 biased = ADD(MUL(t, SPLAT(1.44269504088896341f)), magic);
  const f4 n = SUB(biased, magic);
  /* r = t - n ln 2, with ln 2 split in two so n * C1 is exact. */
  f4 r = SUB(t, MUL(n, SPLAT(0.693359375f)));
  r = SUB(r, MUL(n, SPLAT(-2.12194440e-4f)));
  f4 p = SPLAT(1.9875691500e-4f);
  p = ADD(MUL(p, r), SPLAT(1.3981999507e-3f));
  p = ADD(MUL(p, r), SPLAT(8.3334519073e-3f));
  p = ADD(MUL(p, r), SPLAT(4.1665795894e-2f));
  p = ADD(MUL(p, r), SPLAT(1.6666665459e-1f));
  p = ADD(MUL(p, r), SPLAT(5.0000001201e-1f));
  p = ADD(ADD(MUL(MUL(p, r), r), r), SPLAT(1.0f));
  /* 2^(n - 127 + 127): n + 127 sits in biased's low mantissa bits (n >= -126: a normal number). */
  const v128_t scale = wasm_i32x4_shl(biased, 23);
  return wasm_v128_andnot(MUL(p, scale), tiny);
}

/* dy * f^(order)(x) (order 0: f(x)) for four lanes. */
__attribute__((always_inline)) static inline f4 gelu4(f4 x, f4 dy, int order) {
  const f4 x2 = MUL(x, x);
  const f4 z = MUL(x, ADD(MUL(x2, SPLAT(GELU_B)), SPLAT(GELU_A)));
  const f4 e = exp_nonpositive(wasm_f32x4_neg(wasm_f32x4_abs(z)));
  const f4 inv = wasm_f32x4_div(SPLAT(1.0f), ADD(SPLAT(1.0f), e));
  const f4 small = MUL(e, inv);
  const v128_t positive = wasm_f32x4_ge(z, SPLAT(0.0f));
  const f4 s = wasm_v128_bitselect(inv, small, positive);
  if (order == 0) return MUL(x, s);
  const f4 q = wasm_v128_bitselect(small, inv, positive); /* 1 - s */
  const f4 p = MUL(s, q);
  const f4 z1 = ADD(MUL(x2, SPLAT(3.0f * GELU_B)), SPLAT(GELU_A));
  const f4 s1 = MUL(p, z1);
  f4 d;
  if (order == 1) {
    d = ADD(s, MUL(x, s1));
  } else {
    const f4 p2 = MUL(p, SUB(q, s)); /* sigmoid'' = p (1 - 2s) */
    const f4 z2 = MUL(x, SPLAT(6.0f * GELU_B));
    const f4 s2 = ADD(MUL(p2, MUL(z1, z1)), MUL(p, z2));
    if (order == 2) {
      d = ADD(MUL(SPLAT(2.0f), s1), MUL(x, s2));
    } else {
      const f4 p3 = MUL(p, SUB(SPLAT(1.0f), MUL(SPLAT(6.0f), p))); /* sigmoid''' = p (1 - 6p) */
      const f4 s3 = ADD(ADD(MUL(p3, MUL(z1, MUL(z1, z1))), MUL(SPLAT(3.0f), MUL(p2, MUL(z1, z2)))),
                        MUL(p, SPLAT(6.0f * GELU_B)));
      d = ADD(MUL(SPLAT(3.0f), s2), MUL(x, s3));
    }
  }
  return MUL(dy, d);
}

/*
 * The loop for one order. Inlined per constant order (always_inline: left to itself clang kept one
 * copy with `order` a runtime value, branching inside the loop; the derivatives ran 1.4x slower).
 */
__attribute__((always_inline)) static inline void gelu_loop(const float *x, const float *dy, float *out, int n, int order) {
  const f4 one = SPLAT(1.0f);
  int i = 0;
  /* Four independent vectors per step: the exp and sigmoid chains are long and serial (measured on
   * [672, 256]: order 1 at two vectors per step 440 us, at four 393 us; order 2 505 vs 440 us). */
#define DY(j) (order == 0 ? one : wasm_v128_load(dy + i + (j)))
  for (; i + 16 <= n; i += 16) {
    const f4 r0 = gelu4(wasm_v128_load(x + i), DY(0), order);
    const f4 r1 = gelu4(wasm_v128_load(x + i + 4), DY(4), order);
    const f4 r2 = gelu4(wasm_v128_load(x + i + 8), DY(8), order);
    const f4 r3 = gelu4(wasm_v128_load(x + i + 12), DY(12), order);
    wasm_v128_store(out + i, r0);
    wasm_v128_store(out + i + 4, r1);
    wasm_v128_store(out + i + 8, r2);
    wasm_v128_store(out + i + 12, r3);
  }
#undef DY
  for (; i + 4 <= n; i += 4) {
    const f4 g = order == 0 ? one : wasm_v128_load(dy + i);
    wasm_v128_store(out + i, gelu4(wasm_v128_load(x + i), g, order));
  }
  if (i < n) {
    /* The last 1-3 elements, lane by lane (no stack, so no padded buffer). */
    const int rest = n - i;
    f4 xv = SPLAT(0.0f), gv = one;
    xv = wasm_f32x4_replace_lane(xv, 0, x[i]);
    if (rest > 1) xv = wasm_f32x4_replace_lane(xv, 1, x[i + 1]);
    if (rest > 2) xv = wasm_f32x4_replace_lane(xv, 2, x[i + 2]);
    if (order != 0) {
      gv = wasm_f32x4_replace_lane(gv, 0, dy[i]);
      if (rest > 1) gv = wasm_f32x4_replace_lane(gv, 1, dy[i + 1]);
      if (rest > 2) gv = wasm_f32x4_replace_lane(gv, 2, dy[i + 2]);
    }
    const f4 r = gelu4(xv, gv, order);
    out[i] = wasm_f32x4_extract_lane(r, 0);
    if (rest > 1) out[i + 1] = wasm_f32x4_extract_lane(r, 1);
    if (rest > 2) out[i + 2] = wasm_f32x4_extract_lane(r, 2);
  }
}

/*
 * out[i] = f(x[i]) (order 0; dy unused) or dy[i] * f^(order)(x[i]) (order 1..3), i < n; addresses
 * in bytes. out may not alias x or dy.
 */
__attribute__((export_name("gelu_f32")))
void gelu_f32(uint32_t x_addr, uint32_t dy_addr, uint32_t out_addr, int n, int order) {
  const float *x = (const float *)x_addr;
  const float *dy = (const float *)dy_addr;
  float *out = (float *)out_addr;
  switch (order) {
    case 0: gelu_loop(x, dy, out, n, 0); break;
    case 1: gelu_loop(x, dy, out, n, 1); break;
    case 2: gelu_loop(x, dy, out, n, 2); break;
    case 3: gelu_loop(x, dy, out, n, 3); break;
    default: break;
  }
}
