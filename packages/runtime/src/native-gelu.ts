import { NATIVE_GELU_PLAIN, NATIVE_GELU_SHARED } from './generated/native-gelu';
import { defineNativeModule } from './native-module';

/**
 * @loop/runtime's fused GELU kernel (native/gelu.c, WebAssembly SIMD) on tfjs-backend-wasm's memory:
 * out = gelu(x) (order 0) or dy * gelu^(order)(x) (order 1..3), over n floats; addresses in bytes.
 */
export type NativeGelu = (x: number, dy: number, out: number, n: number, order: number) => void;

const native = defineNativeModule<NativeGelu>({
  plain: NATIVE_GELU_PLAIN,
  shared: NATIVE_GELU_SHARED,
  exportName: 'gelu_f32',
  switchName: 'LOOP_NATIVE_GELU',
});

/** `LOOP_NATIVE_GELU=0` switches the fused GELU off (tfjs ops instead: for comparisons). */
export const nativeGeluDisabled = native.disabled;

/** The kernel bound to this memory, or null where it cannot run. Instantiated once per memory. */
export const nativeGeluFor = native.forMemory;

/** The kernel for a wasm backend's Emscripten module (`backend.wasm`), or null when off or unavailable. */
export const nativeGeluOfWasm = native.forWasm;
