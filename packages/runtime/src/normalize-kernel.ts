import * as tf from '@tensorflow/tfjs';
import {
  checkFloat32SameShape,
  fusedKernelActive,
  gradientRegistrar,
  requireNative,
  symmetricJacobianKernels,
} from './fused-kernel';
import { nativeNormalizeOfWasm, type NativeNormalize } from './native-normalize';
import { memoryOffsetOf, type KernelArgs, type WasmBackendInternals } from './wasm-backend';

/**
 * LayerNorm's normalisation over the last axis, xh = (x - mean) / sqrt(var + eps), as one kernel
 * per derivative order on the wasm backend (native/normalize.c), with gradients up to the second
 * order, so double backprop (the HVP) runs through it.
 *
 * Kernels (wasm only), all with attrs {eps}:
 *   LoopNormalize       {x}        -> xh
 *   LoopNormalizeGrad   {x, g}     -> J g               (J = dxh/dx, symmetric)
 *   LoopNormalizeGrad2  {x, g, u}  -> d(u' J g)/dx
 * Gradients: symmetricJacobianKernels (fused-kernel.ts); a third order is refused by name.
 */
export const NORMALIZE_KERNEL = 'LoopNormalize';
export const NORMALIZE_GRAD_KERNEL = 'LoopNormalizeGrad';
export const NORMALIZE_GRAD2_KERNEL = 'LoopNormalizeGrad2';

const nativeNormalizeOf = (backend: WasmBackendInternals): NativeNormalize | null =>
  nativeNormalizeOfWasm(backend.wasm);

function normalizeOnWasm(args: KernelArgs, mode: 0 | 1 | 2, name: string): tf.TensorInfo {
  const { x, g, u } = args.inputs as { x: tf.TensorInfo; g?: tf.TensorInfo; u?: tf.TensorInfo };
  const { backend, kernel } = requireNative(name, args.backend, nativeNormalizeOf);
  checkFloat32SameShape(name, [x, g, u]);
  const eps = (args.attrs as { eps: number }).eps;
  const out = backend.makeOutput(x.shape, 'float32');
  const size = tf.util.sizeFromShape(x.shape);
  if (size > 0) {
    const n = x.shape[x.shape.length - 1] as number;
    const at = (t: tf.TensorInfo | undefined): number => (t === undefined ? 0 : memoryOffsetOf(backend, t));
    kernel(at(x), at(g), at(u), at(out), size / n, n, eps, mode);
  }
  return out;
}

const family = symmetricJacobianKernels({
  names: [NORMALIZE_KERNEL, NORMALIZE_GRAD_KERNEL, NORMALIZE_GRAD2_KERNEL],
  kernelFunc: normalizeOnWasm,
  what: 'LayerNorm',
  switchName: 'LOOP_NATIVE_LAYERNORM',
});

export const normalizeKernelConfigs: tf.KernelConfig[] = family.configs;

/** Register the three kernels' gradients (global, backend-independent; idempotent). */
export const registerNormalizeGradients = gradientRegistrar(family.gradients);

/** Whether `fusedNormalize` would run the native kernel now. */
export function nativeNormalizeActive(): boolean {
  return fusedKernelActive(NORMALIZE_KERNEL, nativeNormalizeOf);
}

/** (x - mean) / sqrt(var + eps) over the last axis as one kernel, where `nativeNormalizeActive()`. */
export function fusedNormalize(x: tf.Tensor, eps: number): tf.Tensor {
  return tf.engine().runKernel(NORMALIZE_KERNEL, { x }, { eps }) as tf.Tensor;
}
