/*
 * One Adam / AdamW update of a float32 parameter vector and its moments, in one pass, for
 * @loop/shift's optimiser on @loop/models' wasm backend:
 *
 *   g'    = g + p * l2                 (Adam's L2 penalty; only when use_l2)
 *   q     = p * decay                  (AdamW's decoupled decay; only when use_decay)
 *   m'    = m * b1 + g' * omb1
 *   v'    = v * b2 + (g' * g') * omb2
 *   p'    = q - (m' / (sqrt(v') / sqrt_bc2 + eps)) * step
 *
 * with every constant a float32 (as the tfjs scalars it replaces) and every operation one
 * correctly rounded float32 operation in the order of the tfjs ops in @loop/shift's adamw.ts, so
 * the results are bitwise those ops' (tested).
 *
 * Why: written with tfjs ops the update is ~15 kernels over the concatenated parameters, plus the
 * concatenation and the split back (~0.6 ms of the ~13 ms n_embd 64 training step on wasm); here
 * it is one pass per parameter tensor, with no concatenation.
 *
 * Same constraints as matmul.c: no data segments, no start function, no globals, no libc.
 */
#include "row_math.h"

#define SQRT wasm_f32x4_sqrt
#define DIV wasm_f32x4_div

/* One element group of four (the vector body) or one (the tail), same operations. */
#define UPDATE(LOAD, STORE_, OPS)                                                                 \
  {                                                                                               \
    const OPS##T pv = LOAD(p + i), gv0 = LOAD(g + i), mv = LOAD(m + i), vv = LOAD(v + i);         \
    const OPS##T gv = use_l2 ? OPS##ADD(gv0, OPS##MUL(pv, OPS##SPLAT(l2))) : gv0;                 \
    const OPS##T q = use_decay ? OPS##MUL(pv, OPS##SPLAT(decay)) : pv;                            \
    const OPS##T mn = OPS##ADD(OPS##MUL(mv, OPS##SPLAT(b1)), OPS##MUL(gv, OPS##SPLAT(omb1)));     \
    const OPS##T vn = OPS##ADD(OPS##MUL(vv, OPS##SPLAT(b2)), OPS##MUL(OPS##MUL(gv, gv), OPS##SPLAT(omb2))); \
    const OPS##T den = OPS##ADD(OPS##DIV(OPS##SQRT(vn), OPS##SPLAT(sqrt_bc2)), OPS##SPLAT(eps));  \
    STORE_(m_out + i, mn);                                                                        \
    STORE_(v_out + i, vn);                                                                        \
    STORE_(p_out + i, OPS##SUB(q, OPS##MUL(OPS##DIV(mn, den), OPS##SPLAT(step))));                \
  }

/* vector and scalar spellings of the same operations */
#define V_T f4
#define V_ADD ADD
#define V_SUB SUB
#define V_MUL MUL
#define V_DIV DIV
#define V_SQRT SQRT
#define V_SPLAT SPLAT
#define S_T float
#define S_ADD(x, y) ((x) + (y))
#define S_SUB(x, y) ((x) - (y))
#define S_MUL(x, y) ((x) * (y))
#define S_DIV(x, y) ((x) / (y))
#define S_SQRT(x) __builtin_sqrtf(x)
#define S_SPLAT(c) (c)
#define LOAD4(a) wasm_v128_load(a)
#define STORE4(a, x) wasm_v128_store(a, x)
#define LOAD1(a) (*(a))
#define STORE1(a, x) (*(a) = (x))

/* The update of n elements; addresses in bytes. Outputs may not alias the inputs. */
__attribute__((export_name("adam_f32")))
void adam_f32(uint32_t p_addr, uint32_t g_addr, uint32_t m_addr, uint32_t v_addr, uint32_t p_out_addr,
              uint32_t m_out_addr, uint32_t v_out_addr, int n, int use_decay, float decay, int use_l2, float l2,
              float b1, float omb1, float b2, float omb2, float sqrt_bc2, float eps, float step) {
  const float *p = (const float *)p_addr, *g = (const float *)g_addr;
  const float *m = (const float *)m_addr, *v = (const float *)v_addr;
  float *p_out = (float *)p_out_addr, *m_out = (float *)m_out_addr, *v_out = (float *)v_out_addr;
  int i = 0;
  for (; i + 4 <= n; i += 4) UPDATE(LOAD4, STORE4, V_)
  for (; i < n; i++) UPDATE(LOAD1, STORE1, S_)
}
