/*
 * The derivatives of softmax over the last axis, float32, row by row, for @loop/models' wasm
 * backend. For each row with y = softmax(x) (computed by the caller with tfjs' own Softmax kernel)
 * and J = dy/dx = diag(y) - y y', which is symmetric:
 *
 *   mode 1:  out = J g = y (g - g.y)                      (inputs y, g: the gradient, and, J being
 *            symmetric, also its derivative in g)
 *   mode 2:  out = d(u' J g)/dx = J w,  w = u g - g (u.y) - u (g.y)   (inputs y, g, u: the
 *            second-order term; d(u' J g)/dy = w, then dy/dx = J)
 *
 * Why: tfjs' Softmax gradient is four kernel calls (and its second-order version recomputes the
 * softmax and adds about ten more under double backprop); here each order is one call.
 * Same constraints as matmul.c: no data segments, no start function, no globals, no libc.
 */
#include "row_math.h"

/* out = y (v - v.y) for one row (out may be v). */
static inline void jacobian_times(const float *y, const float *v, float *out, int n) {
  const float s = dot(v, y, n);
  const f4 vs = SPLAT(s);
  int i = 0;
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(out + i, MUL(wasm_v128_load(y + i), SUB(wasm_v128_load(v + i), vs)));
  for (; i < n; i++) out[i] = y[i] * (v[i] - s);
}

/*
 * rows x n floats, row-major; addresses in bytes (u unused in mode 1: pass 0); out may not alias
 * y, g or u.
 */
__attribute__((export_name("softmax_grad_f32")))
void softmax_grad_f32(uint32_t y_addr, uint32_t g_addr, uint32_t u_addr, uint32_t out_addr, int rows, int n,
                      int mode) {
  for (int row = 0; row < rows; row++) {
    const long off = (long)row * n;
    const float *y = (const float *)y_addr + off;
    const float *g = (const float *)g_addr + off;
    float *out = (float *)out_addr + off;
    if (mode == 1) {
      jacobian_times(y, g, out, n);
      continue;
    }
    const float *u = (const float *)u_addr + off;
    const float uy = dot(u, y, n), gy = dot(g, y, n);
    /* w = u g - g (u.y) - u (g.y), written into out, then out = J w in place */
    const f4 vuy = SPLAT(uy), vgy = SPLAT(gy);
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      const f4 uv = wasm_v128_load(u + i), gv = wasm_v128_load(g + i);
      wasm_v128_store(out + i, SUB(SUB(MUL(uv, gv), MUL(gv, vuy)), MUL(uv, vgy)));
    }
    for (; i < n; i++) out[i] = u[i] * g[i] - g[i] * uy - u[i] * gy;
    jacobian_times(y, out, out, n);
  }
}
