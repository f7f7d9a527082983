import { NATIVE_SUM_PLAIN, NATIVE_SUM_SHARED } from './generated/native-sum';
import { defineNativeModule } from './native-module';

/**
 * @loop/runtime's sum over the middle axis (native/sum.c, WebAssembly SIMD) on tfjs-backend-wasm's
 * memory: out[o, i] = sum over j < r of x[o, j, i] for a row-major [outer, r, inner] x; addresses in bytes.
 */
export type NativeSum = (x: number, out: number, outer: number, r: number, inner: number) => void;

const native = defineNativeModule<NativeSum>({
  plain: NATIVE_SUM_PLAIN,
  shared: NATIVE_SUM_SHARED,
  exportName: 'sum_f32',
  switchName: 'LOOP_NATIVE_SUM',
});

/** `LOOP_NATIVE_SUM=0` switches it off (tfjs' Sum, which transposes first: for comparisons). */
export const nativeSumDisabled = native.disabled;

/** The kernel bound to this memory, or null where it cannot run. Instantiated once per memory. */
export const nativeSumFor = native.forMemory;

/** The kernel for a wasm backend's Emscripten module (`backend.wasm`), or null when off or unavailable. */
export const nativeSumOfWasm = native.forWasm;

/**
 * [outer, r, inner] for a sum of `shape` over `axes` when the reduced axes, ignoring those of size 1,
 * are adjacent (a sum over the middle axis of that view); null otherwise.
 */
export function middleAxisView(shape: number[], axes: number[]): [number, number, number] | null {
  const reduced = new Set(axes);
  const big = shape.map((d, i) => ({ d, i })).filter(({ d }) => d !== 1);
  const first = big.findIndex(({ i }) => reduced.has(i));
  if (first < 0) return null;
  let last = first;
  while (last + 1 < big.length && reduced.has((big[last + 1] as { i: number }).i)) last++;
  if (big.slice(last + 1).some(({ i }) => reduced.has(i))) return null;
  const size = (xs: { d: number }[]): number => xs.reduce((n, { d }) => n * d, 1);
  return [size(big.slice(0, first)), size(big.slice(first, last + 1)), size(big.slice(last + 1))];
}
