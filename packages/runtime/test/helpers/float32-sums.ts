import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import type { NativeProductPlan } from '../../src';

/**
 * Bit-exact float32 arithmetic in float64, as oracles for the native product kernel's two builds:
 * each output summed over k in order, acc = round(acc + round(a b)) (plain) or acc = round(acc + a b)
 * (fused multiply-add, one rounding). a b of two float32 values is exact in float64.
 */

/** The next float32 after x (a float32) towards +inf (up) or -inf. */
function nextFloat32(x: number, up: boolean): number {
  if (x === 0) return up ? 2 ** -149 : -(2 ** -149);
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  bits[0] = (bits[0] as number) + (x > 0 === up ? 1 : -1);
  return f[0] as number;
}

/**
 * acc + p rounded once to float32 (round to nearest, ties to even), for a float32 acc and a p
 * exact in float64. s = acc + p may itself be rounded in float64; its error e is exact (TwoSum),
 * and rounding s to float32 can only go the wrong way when s is exactly halfway between two floats.
 */
export function roundedSum32(acc: number, p: number): number {
  const s = acc + p;
  const pv = s - acc;
  const e = acc - (s - pv) + (p - pv);
  const r = Math.fround(s);
  if (r === s || e === 0) return r;
  const other = nextFloat32(r, s > r);
  if (Math.abs(s - r) !== Math.abs(other - s)) return r;
  return e > 0 === other > r ? other : r;
}

/**
 * op(A[e]) op(B[e]) by triple loop, each output accumulated over k in order from 0 by `step`
 * (strides 0 broadcast); the result in `out`.
 */
export function productByLoop<T extends Float32Array | Float64Array>(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  p: Omit<NativeProductPlan, 'outShape'>,
  step: (acc: number, av: number, bv: number) => number,
  out: T,
): T {
  const { batch, m, k, n, strideA, strideB, transA, transB } = p;
  for (let e = 0; e < batch; e++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let q = 0; q < k; q++) {
          const av = a[e * strideA + (transA ? q * m + i : i * k + q)] as number;
          const bv = b[e * strideB + (transB ? j * k + q : q * n + j)] as number;
          acc = step(acc, av, bv);
        }
        out[e * m * n + i * n + j] = acc;
      }
  return out;
}

/** op(A[e]) op(B[e]) in float32, summed over k in order with rounded or fused multiply-adds. */
export function sequentialProduct(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  p: Omit<NativeProductPlan, 'outShape'>,
  fused: boolean,
): Float32Array {
  const step = fused
    ? (acc: number, av: number, bv: number): number => roundedSum32(acc, av * bv)
    : (acc: number, av: number, bv: number): number => roundedSum32(acc, Math.fround(av * bv));
  return productByLoop(a, b, p, step, new Float32Array(p.batch * p.m * p.n));
}

/**
 * Whether this CPU fuses WebAssembly's relaxed multiply-add (V8 emits FMA3 on x86-64 where the CPU
 * has it, fmla on arm64): true, false, or undefined where unknown.
 */
export function cpuFusesMultiplyAdd(): boolean | undefined {
  if (arch() === 'arm64') return true;
  if (arch() !== 'x64') return undefined;
  try {
    return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return undefined;
  }
}
