/*
 * LayerNorm's normalisation and its first two derivatives, float32, row by row, for @loop/models'
 * wasm backend. For each row x of length n (mean mu, biased variance var, s = sqrt(var + eps),
 * xh = (x - mu) / s, J = dxh/dx = (I - 11'/n - xh xh'/n) / s, which is symmetric):
 *
 *   mode 0:  out = xh                                   (inputs x)
 *   mode 1:  out = J g = (g - mean(g) - xh (xh.g)/n) / s  (inputs x, g: the gradient, and, J being
 *            symmetric, also its derivative in g)
 *   mode 2:  out = d(u' J g)/dx                          (inputs x, g, u: the second-order term)
 *            = -(f / (s n)) xh - (A J u + B J g) / (s n),  A = xh.g, B = xh.u, f = u' J g
 *            (from ds/dx = xh / n and dA/dx = J g, dB/dx = J u)
 *
 * Why: written with tfjs ops the normalisation is seven kernel calls forward and about fifteen for
 * its gradient (each a pass over [tokens, C] and a tape entry), doubled again under double backprop.
 *
 * Each row is read a few times (mean, variance, the sums, the output): rows are n_embd long and stay
 * in L1. The mean and variance are taken as the tfjs ops take them (mean, then mean of squared
 * deviations); the sums are in float32 four lanes wide, so results agree with the ops path to float32
 * rounding, not bitwise. Same constraints as matmul.c: no data segments, no start function, no
 * globals, no libc.
 */
#include "row_math.h"

/* Mean and 1 / sqrt(var + eps) of one row. */
static inline void moments(const float *x, int n, float eps, float *mean, float *inv) {
  const float mu = row_sum(x, n) / (float)n;
  f4 acc = SPLAT(0.0f);
  const f4 m = SPLAT(mu);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const f4 d = SUB(wasm_v128_load(x + i), m);
    acc = ADD(acc, MUL(d, d));
  }
  float ss = hsum(acc);
  for (; i < n; i++) ss += (x[i] - mu) * (x[i] - mu);
  *mean = mu;
  *inv = 1.0f / __builtin_sqrtf(ss / (float)n + eps);
}

/* out = xh = (x - mu) * inv for one row. */
static inline void normalise_row(const float *x, int n, float mu, float inv, float *out) {
  const f4 m = SPLAT(mu), r = SPLAT(inv);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, MUL(SUB(wasm_v128_load(x + i), m), r));
  for (; i < n; i++) out[i] = (x[i] - mu) * inv;
}

/* sum of xh[i] * v[i] with xh = (x - mu) * inv computed on the fly. */
static inline float xh_dot(const float *x, const float *v, int n, float mu, float inv) {
  const f4 m = SPLAT(mu), r = SPLAT(inv);
  f4 acc = SPLAT(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4)
    acc = ADD(acc, MUL(MUL(SUB(wasm_v128_load(x + i), m), r), wasm_v128_load(v + i)));
  float s = hsum(acc);
  for (; i < n; i++) s += (x[i] - mu) * inv * v[i];
  return s;
}

/*
 * rows x n floats, row-major; addresses in bytes (g, u unused below their mode: pass 0); out may
 * not alias an input.
 */
__attribute__((export_name("normalize_f32")))
void normalize_f32(uint32_t x_addr, uint32_t g_addr, uint32_t u_addr, uint32_t out_addr, int rows, int n,
                   float eps, int mode) {
  const float inv_n = 1.0f / (float)n;
  for (int row = 0; row < rows; row++) {
    const long off = (long)row * n;
    const float *x = (const float *)x_addr + off;
    float *out = (float *)out_addr + off;
    float mu, inv;
    moments(x, n, eps, &mu, &inv);
    if (mode == 0) {
      normalise_row(x, n, mu, inv, out);
      continue;
    }
    const float *g = (const float *)g_addr + off;
    const float gbar = row_sum(g, n) * inv_n;
    const float A = xh_dot(x, g, n, mu, inv);
    const f4 m = SPLAT(mu), r = SPLAT(inv);
    if (mode == 1) {
      /* (g - gbar - xh A / n) * inv */
      const f4 gb = SPLAT(gbar), an = SPLAT(A * inv_n);
      int i = 0;
      for (; i + 4 <= n; i += 4) {
        const f4 xh = MUL(SUB(wasm_v128_load(x + i), m), r);
        wasm_v128_store(out + i, MUL(SUB(SUB(wasm_v128_load(g + i), gb), MUL(xh, an)), r));
      }
      for (; i < n; i++) out[i] = (g[i] - gbar - (x[i] - mu) * inv * A * inv_n) * inv;
      continue;
    }
    /* mode 2: -(f/(s n)) xh - (A J u + B J g)/(s n), with 1/s = inv, J v = (v - vbar - xh (xh.v)/n) inv */
    const float *u = (const float *)u_addr + off;
    const float ubar = row_sum(u, n) * inv_n;
    const float B = xh_dot(x, u, n, mu, inv);
    const float ug = dot(u, g, n);
    const float f = (ug - (float)n * ubar * gbar - A * B * inv_n) * inv;
    const float c = inv * inv_n; /* 1 / (s n) */
    /* A J u + B J g = inv (A (u - ubar) + B (g - gbar) - xh 2AB/n) */
    const f4 vA = SPLAT(A), vB = SPLAT(B), ub = SPLAT(ubar), gb = SPLAT(gbar);
    const f4 k = SPLAT(f * c - 2.0f * A * B * inv_n * inv * c); /* coefficient of xh */
    const f4 cc = SPLAT(inv * c);
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      const f4 xh = MUL(SUB(wasm_v128_load(x + i), m), r);
      const f4 t = ADD(MUL(vA, SUB(wasm_v128_load(u + i), ub)), MUL(vB, SUB(wasm_v128_load(g + i), gb)));
      wasm_v128_store(out + i, wasm_f32x4_neg(ADD(MUL(k, xh), MUL(cc, t))));
    }
    for (; i < n; i++) {
      const float xh = (x[i] - mu) * inv;
      const float t = A * (u[i] - ubar) + B * (g[i] - gbar);
      out[i] = -((f * c - 2.0f * A * B * inv_n * inv * c) * xh + inv * c * t);
    }
  }
}
