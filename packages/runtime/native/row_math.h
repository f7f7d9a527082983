/*
 * Helpers shared by the row-wise kernels (normalize.c, softmax.c): float32 SIMD shorthands and
 * sums over one row. Header-only (static inline): each module stays self-contained. The build
 * hashes a source together with the local headers it includes.
 */
#ifndef LOOP_ROW_MATH_H
#define LOOP_ROW_MATH_H

#include <stdint.h>
#include <wasm_simd128.h>

typedef v128_t f4;

#define SPLAT(c) wasm_f32x4_splat(c)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

static inline float hsum(f4 v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

/* sum of a[i] * b[i] over one row: four lanes, then the tail. */
static inline float dot(const float *a, const float *b, int n) {
  f4 acc = SPLAT(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) acc = ADD(acc, MUL(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  float s = hsum(acc);
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

/* sum of a[i] over one row: four lanes, then the tail. */
static inline float row_sum(const float *a, int n) {
  f4 acc = SPLAT(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) acc = ADD(acc, wasm_v128_load(a + i));
  float s = hsum(acc);
  for (; i < n; i++) s += a[i];
  return s;
}

#endif
