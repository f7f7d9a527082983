/*
 * Sum over the middle axis of a row-major float32 [outer, r, inner] array: out[o, i] = sum over
 * j < r of x[o, j, i], for @loop/models' wasm backend.
 *
 * Why: tfjs-backend-wasm 4.22 sums only over innermost axes, so a sum over leading axes (every
 * bias and LayerNorm-gain gradient: [tokens, C] -> [C]) first transposes the whole input into a
 * new buffer. Here the rows are added in place, four or sixteen columns per step.
 *
 * Each output is added up over j in order, starting from 0, with one float add per term: the same
 * operations as wasm's own Sum kernel on the transposed input, so results are bitwise the same
 * (tested). Same constraints as matmul.c: no data segments, no start function, no globals, no libc.
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef v128_t f4;

__attribute__((export_name("sum_f32")))
void sum_f32(uint32_t x_addr, uint32_t out_addr, int outer, int r, int inner) {
  const float *x = (const float *)x_addr;
  float *out = (float *)out_addr;
  for (int o = 0; o < outer; o++) {
    const float *xo = x + (long)o * r * inner;
    float *oo = out + (long)o * inner;
    int i = 0;
    for (; i + 16 <= inner; i += 16) {
      f4 a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
      const float *p = xo + i;
      for (int j = 0; j < r; j++, p += inner) {
        a0 = wasm_f32x4_add(a0, wasm_v128_load(p));
        a1 = wasm_f32x4_add(a1, wasm_v128_load(p + 4));
        a2 = wasm_f32x4_add(a2, wasm_v128_load(p + 8));
        a3 = wasm_f32x4_add(a3, wasm_v128_load(p + 12));
      }
      wasm_v128_store(oo + i, a0);
      wasm_v128_store(oo + i + 4, a1);
      wasm_v128_store(oo + i + 8, a2);
      wasm_v128_store(oo + i + 12, a3);
    }
    for (; i + 4 <= inner; i += 4) {
      f4 a0 = wasm_f32x4_splat(0.0f);
      const float *p = xo + i;
      for (int j = 0; j < r; j++, p += inner) a0 = wasm_f32x4_add(a0, wasm_v128_load(p));
      wasm_v128_store(oo + i, a0);
    }
    for (; i < inner; i++) {
      float a = 0.0f;
      const float *p = xo + i;
      for (int j = 0; j < r; j++, p += inner) a += *p;
      oo[i] = a;
    }
  }
}
