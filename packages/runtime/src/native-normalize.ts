import { NATIVE_NORMALIZE_PLAIN, NATIVE_NORMALIZE_SHARED } from './generated/native-normalize';
import { defineNativeModule } from './native-module';

/**
 * @loop/runtime's LayerNorm normalisation kernel (native/normalize.c, WebAssembly SIMD) on
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

const native = defineNativeModule<NativeNormalize>({
  plain: NATIVE_NORMALIZE_PLAIN,
  shared: NATIVE_NORMALIZE_SHARED,
  exportName: 'normalize_f32',
  switchName: 'LOOP_NATIVE_LAYERNORM',
});

/** `LOOP_NATIVE_LAYERNORM=0` switches the fused normalisation off (tfjs ops instead: for comparisons). */
export const nativeNormalizeDisabled = native.disabled;

/** The kernel bound to this memory, or null where it cannot run. Instantiated once per memory. */
export const nativeNormalizeFor = native.forMemory;

/** The kernel for a wasm backend's Emscripten module (`backend.wasm`), or null when off or unavailable. */
export const nativeNormalizeOfWasm = native.forWasm;
