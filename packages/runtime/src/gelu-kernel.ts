import * as tf from '@tensorflow/tfjs';
import { checkFloat32SameShape, fusedKernelActive, gradientRegistrar, requireNative } from './fused-kernel';
import { nativeGeluOfWasm, type NativeGelu } from './native-gelu';
import { memoryOffsetOf, type KernelArgs, type WasmBackendInternals } from './wasm-backend';

/**
 * GELU (tanh approximation) as one kernel per derivative order on the wasm backend, with gradients
 * of every order up to the third, so double backprop (the HVP) runs through it.
 *
 * Kernels (wasm only, on native/gelu.c):
 *   LoopGelu            {x}      -> gelu(x)
 *   LoopGeluDerivative  {x, dy}  -> dy * gelu^(order)(x), attrs {order: 1 | 2 | 3}
 * Gradients: LoopGelu's is LoopGeluDerivative order 1; that of order k is order k with dy := g for
 * dy, and order k + 1 with dy := g * dy for x (d/dx of dy f^(k)(x) = dy f^(k+1)(x)).
 */
export const GELU_KERNEL = 'LoopGelu';
export const GELU_DERIVATIVE_KERNEL = 'LoopGeluDerivative';
const MAX_ORDER = 3;

const nativeGeluOf = (backend: WasmBackendInternals): NativeGelu | null => nativeGeluOfWasm(backend.wasm);

function geluOnWasm(args: KernelArgs, order: number): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy?: tf.TensorInfo };
  const name = dy === undefined ? GELU_KERNEL : GELU_DERIVATIVE_KERNEL;
  const { backend, kernel } = requireNative(name, args.backend, nativeGeluOf);
  checkFloat32SameShape(name, [x, dy]);
  if (dy !== undefined && !(Number.isInteger(order) && order >= 1 && order <= MAX_ORDER)) {
    throw new Error(`${GELU_DERIVATIVE_KERNEL}: attrs.order must be 1, 2 or 3 (got ${String(order)})`);
  }
  const out = backend.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  if (n > 0) {
    const dyAddress = dy === undefined ? 0 : memoryOffsetOf(backend, dy);
    kernel(memoryOffsetOf(backend, x), dyAddress, memoryOffsetOf(backend, out), n, order);
  }
  return out;
}

export const geluKernelConfigs: tf.KernelConfig[] = [
  {
    kernelName: GELU_KERNEL,
    backendName: 'wasm',
    kernelFunc: ((a: KernelArgs) => geluOnWasm(a, 0)) as tf.KernelFunc,
  },
  {
    kernelName: GELU_DERIVATIVE_KERNEL,
    backendName: 'wasm',
    kernelFunc: ((a: KernelArgs) => geluOnWasm(a, (a.attrs as { order: number }).order)) as tf.KernelFunc,
  },
];

/** dy * gelu^(order)(x), one kernel call. */
function geluDerivative(x: tf.Tensor, dy: tf.Tensor, order: number): tf.Tensor {
  return tf.engine().runKernel(GELU_DERIVATIVE_KERNEL, { x, dy }, { order }) as tf.Tensor;
}

const geluGradients: tf.GradConfig[] = [
  {
    kernelName: GELU_KERNEL,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      return { x: () => geluDerivative(x, dy as tf.Tensor, 1) };
    },
  },
  {
    kernelName: GELU_DERIVATIVE_KERNEL,
    inputsToSave: ['x', 'dy'],
    gradFunc: (g, saved, attrs) => {
      const [x, dy] = saved as [tf.Tensor, tf.Tensor];
      const order = (attrs as { order: number }).order;
      return {
        dy: () => geluDerivative(x, g as tf.Tensor, order),
        x: () => {
          if (order >= MAX_ORDER) {
            throw new Error(
              `${GELU_DERIVATIVE_KERNEL}: GELU's derivatives stop at order ${MAX_ORDER}; ` +
                'set LOOP_NATIVE_GELU=0 (tfjs ops) for gradients of a higher order',
            );
          }
          return geluDerivative(x, tf.mul(g as tf.Tensor, dy), order + 1);
        },
      };
    },
  },
];

/** Register the two kernels' gradients (global, backend-independent; idempotent). */
export const registerGeluGradients = gradientRegistrar(geluGradients);

/** Whether `fusedGelu` would run the native kernel for a float32 tensor now. */
export function nativeGeluActive(): boolean {
  return fusedKernelActive(GELU_KERNEL, nativeGeluOf);
}

/** gelu(x) as one kernel, where `nativeGeluActive()` (wasm with its kernels registered). */
export function fusedGelu(x: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(GELU_KERNEL, { x }) as tf.Tensor;
}
