import * as tf from '@tensorflow/tfjs';
import { isWasmBackend, type KernelArgs, type WasmBackendInternals } from './wasm-backend';

/**
 * Plumbing shared by @loop/runtime's fused kernels (gelu-kernel.ts, normalize-kernel.ts,
 * softmax-kernel.ts): finding the native export for a kernel call, checking inputs, registering
 * gradients once, telling whether a fused path can run now, and the kernel family of a row-wise
 * map with a symmetric Jacobian (normalisation, softmax).
 */

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

/**
 * The three wasm kernels of a row-wise map y = f(x) (last axis) whose Jacobian J = dy/dx is
 * symmetric, and their gradients:
 *   names[0] {x}        -> f(x)
 *   names[1] {x, g}     -> J g            (the gradient of names[0]; being linear in g with the
 *                                           symmetric J, also its own derivative in g)
 *   names[2] {x, g, u}  -> d(u' J g)/dx   (the second-order term: names[1]'s derivative in x)
 * names[2] has no gradient (refused by name, with the switch). Every kernel gets the call's attrs
 * unchanged. `kernelFunc(args, mode, name)` computes mode 0, 1 or 2 on the wasm backend.
 */
export function symmetricJacobianKernels(o: {
  names: readonly [string, string, string];
  kernelFunc: (args: KernelArgs, mode: 0 | 1 | 2, name: string) => tf.TensorInfo;
  what: string;
  switchName: string;
}): { configs: tf.KernelConfig[]; gradients: tf.GradConfig[] } {
  const [forward, grad, grad2] = o.names;
  const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor =>
    tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
  const configs = o.names.map((kernelName, mode) => ({
    kernelName,
    backendName: 'wasm',
    kernelFunc: ((a: KernelArgs) => o.kernelFunc(a, mode as 0 | 1 | 2, kernelName)) as tf.KernelFunc,
  }));
  const gradients: tf.GradConfig[] = [
    {
      kernelName: forward,
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved as [tf.Tensor];
        return { x: () => run(grad, { x, g: dy as tf.Tensor }, attrs) };
      },
    },
    {
      kernelName: grad,
      inputsToSave: ['x', 'g'],
      gradFunc: (dy, saved, attrs) => {
        const [x, g] = saved as [tf.Tensor, tf.Tensor];
        return {
          g: () => run(grad, { x, g: dy as tf.Tensor }, attrs),
          x: () => run(grad2, { x, g, u: dy as tf.Tensor }, attrs),
        };
      },
    },
    {
      kernelName: grad2,
      inputsToSave: [],
      gradFunc: () => {
        throw new Error(
          `${grad2}: the fused ${o.what} has derivatives up to the second order; ` +
            `set ${o.switchName}=0 (tfjs ops) for gradients of a higher order`,
        );
      },
    },
  ];
  return { configs, gradients };
}
