import { NATIVE_SOFTMAX_PLAIN, NATIVE_SOFTMAX_SHARED } from './native-softmax.generated';
import { nativeExport, type NativeInstances, type WasmMemory } from './native-module';

/**
 * @loop/models' softmax-derivative kernel (native/softmax.c, WebAssembly SIMD) on
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

/** `LOOP_NATIVE_SOFTMAX=0` switches the fused softmax gradients off (tfjs ops instead: for comparisons). */
export function nativeSoftmaxDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LOOP_NATIVE_SOFTMAX === '0';
}

const instances: NativeInstances<NativeSoftmaxGrad> = new WeakMap();

/** The kernel bound to this memory, or null where it cannot run. Instantiated once per memory. */
export function nativeSoftmaxFor(memory: WasmMemory): NativeSoftmaxGrad | null {
  return nativeExport(instances, memory, NATIVE_SOFTMAX_PLAIN, NATIVE_SOFTMAX_SHARED, 'softmax_grad_f32');
}
