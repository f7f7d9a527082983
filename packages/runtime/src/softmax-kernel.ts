import * as tf from '@tensorflow/tfjs';
import {
  checkFloat32SameShape,
  fusedKernelActive,
  gradientRegistrar,
  requireNative,
  symmetricJacobianKernels,
} from './fused-kernel';
import { nativeSoftmaxOfWasm, type NativeSoftmaxGrad } from './native-softmax';
import { memoryOffsetOf, type KernelArgs, type WasmBackendInternals } from './wasm-backend';

/**
 * Softmax over the last axis with its derivatives as kernels of their own on the wasm backend, so
 * the gradient is one kernel call and double backprop (the HVP) two, where tfjs' Softmax gradient
 * is four calls (and its second-order version in @loop/hessian recomputes the softmax and adds
 * about ten more).
 *
 * Kernels (wasm only; y = softmax(x) is computed by the backend's own Softmax kernel, so the
 * forward values are bitwise tfjs'; the derivatives are native/softmax.c):
 *   LoopSoftmax       {x}        -> y
 *   LoopSoftmaxGrad   {x, g}     -> J g              (J = diag(y) - y y', symmetric)
 *   LoopSoftmaxGrad2  {x, g, u}  -> d(u' J g)/dx
 * Gradients: symmetricJacobianKernels (fused-kernel.ts); a third order is refused by name.
 * The input x is saved, not the output: the engine clones a saved output onto the tape before the
 * kernel's own node, which would cut the second-order path (see @loop/hessian's second-order notes).
 */
export const SOFTMAX_KERNEL = 'LoopSoftmax';
export const SOFTMAX_GRAD_KERNEL = 'LoopSoftmaxGrad';
export const SOFTMAX_GRAD2_KERNEL = 'LoopSoftmaxGrad2';

const nativeSoftmaxOf = (backend: WasmBackendInternals): NativeSoftmaxGrad | null =>
  nativeSoftmaxOfWasm(backend.wasm);

/** softmax(x) over the last axis by the wasm backend's own Softmax kernel (no engine call, no tape). */
function wasmSoftmax(backend: WasmBackendInternals, x: tf.TensorInfo): tf.TensorInfo {
  const own = tf.getKernel('Softmax', 'wasm');
  if (own === undefined) throw new Error(`${SOFTMAX_KERNEL}: the wasm Softmax kernel is not registered`);
  const args = { inputs: { logits: x }, backend, attrs: { dim: x.shape.length - 1 } };
  return own.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

function softmaxOnWasm(args: KernelArgs, mode: 0 | 1 | 2, name: string): tf.TensorInfo {
  const { x, g, u } = args.inputs as { x: tf.TensorInfo; g?: tf.TensorInfo; u?: tf.TensorInfo };
  const { backend, kernel } = requireNative(name, args.backend, nativeSoftmaxOf);
  checkFloat32SameShape(name, [x, g, u]);
  const y = wasmSoftmax(backend, x);
  if (mode === 0) return y;
  try {
    const out = backend.makeOutput(x.shape, 'float32');
    const size = tf.util.sizeFromShape(x.shape);
    if (size > 0) {
      const n = x.shape[x.shape.length - 1] as number;
      const at = (t: tf.TensorInfo | undefined): number => (t === undefined ? 0 : memoryOffsetOf(backend, t));
      kernel(at(y), at(g), at(u), at(out), size / n, n, mode);
    }
    return out;
  } finally {
    backend.disposeData(y.dataId, true);
  }
}

const family = symmetricJacobianKernels({
  names: [SOFTMAX_KERNEL, SOFTMAX_GRAD_KERNEL, SOFTMAX_GRAD2_KERNEL],
  kernelFunc: softmaxOnWasm,
  what: 'softmax',
  switchName: 'LOOP_NATIVE_SOFTMAX',
});

export const softmaxKernelConfigs: tf.KernelConfig[] = family.configs;

/** Register the three kernels' gradients (global, backend-independent; idempotent). */
export const registerSoftmaxGradients = gradientRegistrar(family.gradients);

/** Whether `fusedSoftmax` would run the native kernels now. */
export function nativeSoftmaxActive(): boolean {
  return fusedKernelActive(SOFTMAX_KERNEL, nativeSoftmaxOf);
}

/** softmax(x) over the last axis with one-kernel derivatives, where `nativeSoftmaxActive()`. */
export function fusedSoftmax(x: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(SOFTMAX_KERNEL, { x }) as tf.Tensor;
}
