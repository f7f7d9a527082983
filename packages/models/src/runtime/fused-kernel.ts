import * as tf from '@tensorflow/tfjs';
import { wasmMemoryOf, type WasmMemory } from './native-module';
import { isWasmBackend, type WasmBackendInternals } from './wasm-backend';

/**
 * Plumbing shared by @loop/models' fused kernels (gelu-kernel.ts, normalize-kernel.ts,
 * softmax-kernel.ts): finding the native export for a backend, checking inputs, registering
 * gradients once, and telling whether a fused path can run now.
 */

/** The native export bound to this backend's memory, or null when switched off or unavailable. */
export function nativeOn<F>(
  backend: WasmBackendInternals,
  disabled: () => boolean,
  forMemory: (memory: WasmMemory) => F | null,
): F | null {
  if (disabled()) return null;
  const memory = wasmMemoryOf(backend.wasm);
  return memory === undefined ? null : forMemory(memory);
}

/** The wasm backend of a kernel call and its native export; throws (naming the kernel) without them. */
export function requireNative<F>(
  name: string,
  backend: unknown,
  native: (b: WasmBackendInternals) => F | null,
): { backend: WasmBackendInternals; kernel: F } {
  const kernel = isWasmBackend(backend) ? native(backend) : null;
  if (!isWasmBackend(backend) || kernel === null) {
    throw new Error(
      `${name}: the native kernel is not available on this backend (wasm with WebAssembly SIMD)`,
    );
  }
  return { backend, kernel };
}

/** Throws (naming the kernel) unless every given input is float32 with the first one's shape. */
export function checkFloat32SameShape(name: string, inputs: (tf.TensorInfo | undefined)[]): void {
  const first = inputs[0] as tf.TensorInfo;
  for (const t of inputs) {
    if (t === undefined) continue;
    if (t.dtype !== 'float32') throw new Error(`${name}: inputs must be float32 (got ${t.dtype})`);
    if (!tf.util.arraysEqual(t.shape, first.shape)) {
      throw new Error(
        `${name}: input shapes differ (${JSON.stringify(first.shape)} vs ${JSON.stringify(t.shape)})`,
      );
    }
  }
}

/** A function that registers these gradients the first time it is called (global, backend-independent). */
export function gradientRegistrar(configs: tf.GradConfig[]): () => void {
  let done = false;
  return () => {
    if (done) return;
    for (const g of configs) tf.registerGradient(g);
    done = true;
  };
}

/** Whether a fused kernel registered for wasm can run now: the backend is wasm and its native export loads. */
export function fusedKernelActive(kernelName: string, native: (b: WasmBackendInternals) => unknown): boolean {
  if (tf.getBackend() !== 'wasm' || tf.getKernel(kernelName, 'wasm') === undefined) return false;
  const backend = tf.backend() as unknown;
  return isWasmBackend(backend) && native(backend) !== null;
}

/** A gradient function for the last order a fused kernel implements: refuses by name, with the switch. */
export function noHigherOrder(
  kernelName: string,
  what: string,
  order: string,
  switchName: string,
): () => never {
  return () => {
    throw new Error(
      `${kernelName}: the fused ${what} has derivatives up to the ${order} order; ` +
        `set ${switchName}=0 (tfjs ops) for gradients of a higher order`,
    );
  };
}
