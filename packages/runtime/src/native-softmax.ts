import { NATIVE_SOFTMAX_PLAIN, NATIVE_SOFTMAX_SHARED } from './generated/native-softmax';
import { defineNativeModule } from './native-module';

/**
 * @loop/runtime's softmax-derivative kernel (native/softmax.c, WebAssembly SIMD) on
 * tfjs-backend-wasm's memory, row by row over rows x n floats of y = softmax(x): mode 1 J g (the
 * gradient), mode 2 d(u' J g)/dx (the second-order term). Addresses in bytes; u is 0 in mode 1.
 */
export type NativeSoftmaxGrad = (
  y: number,
  g: number,
  u: number,
  out: number,
  rows: number,
  n: number,
  mode: number,
) => void;

const native = defineNativeModule<NativeSoftmaxGrad>({
  plain: NATIVE_SOFTMAX_PLAIN,
  shared: NATIVE_SOFTMAX_SHARED,
  exportName: 'softmax_grad_f32',
  switchName: 'LOOP_NATIVE_SOFTMAX',
});

/** `LOOP_NATIVE_SOFTMAX=0` switches the fused softmax gradients off (tfjs ops instead: for comparisons). */
export const nativeSoftmaxDisabled = native.disabled;

/** The kernel bound to this memory, or null where it cannot run. Instantiated once per memory. */
export const nativeSoftmaxFor = native.forMemory;

/** The kernel for a wasm backend's Emscripten module (`backend.wasm`), or null when off or unavailable. */
export const nativeSoftmaxOfWasm = native.forWasm;
