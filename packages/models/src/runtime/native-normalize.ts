import { NATIVE_NORMALIZE_PLAIN, NATIVE_NORMALIZE_SHARED } from './native-normalize.generated';
import { nativeExport, type NativeInstances, type WasmMemory } from './native-module';

/**
 * @loop/models' LayerNorm normalisation kernel (native/normalize.c, WebAssembly SIMD) on
 * tfjs-backend-wasm's memory, row by row over rows x n floats: mode 0 xh = (x - mean) / sqrt(var +
 * eps); mode 1 J g (the gradient); mode 2 d(u' J g)/dx (the second-order term). Addresses in bytes;
 * g and u are 0 where the mode does not read them.
 */
export type NativeNormalize = (
  x: number,
  g: number,
  u: number,
  out: number,
  rows: number,
  n: number,
  eps: number,
  mode: number,
) => void;

/** `LOOP_NATIVE_LAYERNORM=0` switches the fused normalisation off (tfjs ops instead: for comparisons). */
export function nativeNormalizeDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LOOP_NATIVE_LAYERNORM === '0';
}

const instances: NativeInstances<NativeNormalize> = new WeakMap();

/** The kernel bound to this memory, or null where it cannot run. Instantiated once per memory. */
export function nativeNormalizeFor(memory: WasmMemory): NativeNormalize | null {
  return nativeExport(instances, memory, NATIVE_NORMALIZE_PLAIN, NATIVE_NORMALIZE_SHARED, 'normalize_f32');
}
