import { NATIVE_GELU_PLAIN, NATIVE_GELU_SHARED } from './native-gelu.generated';
import { nativeExport, type NativeInstances, type WasmMemory } from './native-module';

/**
 * @loop/models' fused GELU kernel (native/gelu.c, WebAssembly SIMD) on tfjs-backend-wasm's memory:
 * out = gelu(x) (order 0) or dy * gelu^(order)(x) (order 1..3), over n floats; addresses in bytes.
 */
export type NativeGelu = (x: number, dy: number, out: number, n: number, order: number) => void;

/** `LOOP_NATIVE_GELU=0` switches the fused GELU off (tfjs ops instead: for comparisons). */
export function nativeGeluDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LOOP_NATIVE_GELU === '0';
}

const instances: NativeInstances<NativeGelu> = new WeakMap();

/** The kernel bound to this memory, or null where it cannot run. Instantiated once per memory. */
export function nativeGeluFor(memory: WasmMemory): NativeGelu | null {
  return nativeExport(instances, memory, NATIVE_GELU_PLAIN, NATIVE_GELU_SHARED, 'gelu_f32');
}
