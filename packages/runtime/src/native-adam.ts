import { NATIVE_ADAM_PLAIN, NATIVE_ADAM_SHARED } from './generated/native-adam';
import { defineNativeModule } from './native-module';

/**
 * @loop/runtime's fused Adam / AdamW update (native/adam.c, WebAssembly SIMD) on tfjs-backend-wasm's
 * memory: one pass over n elements of a parameter, its gradient and both moments, writing the
 * three new vectors; addresses in bytes, constants float32 (see the source for the equations).
 */
export type NativeAdam = (
  p: number,
  g: number,
  m: number,
  v: number,
  pOut: number,
  mOut: number,
  vOut: number,
  n: number,
  useDecay: number,
  decay: number,
  useL2: number,
  l2: number,
  b1: number,
  oneMinusB1: number,
  b2: number,
  oneMinusB2: number,
  sqrtBc2: number,
  eps: number,
  step: number,
) => void;

const native = defineNativeModule<NativeAdam>({
  plain: NATIVE_ADAM_PLAIN,
  shared: NATIVE_ADAM_SHARED,
  exportName: 'adam_f32',
  switchName: 'LOOP_NATIVE_ADAM',
});

/** `LOOP_NATIVE_ADAM=0` switches the fused update off (@loop/shift's tfjs ops instead: for comparisons). */
export const nativeAdamDisabled = native.disabled;

/** The kernel bound to this memory, or null where it cannot run. Instantiated once per memory. */
export const nativeAdamFor = native.forMemory;

/** The kernel for a wasm backend's Emscripten module (`backend.wasm`), or null when off or unavailable. */
export const nativeAdamOfWasm = native.forWasm;
