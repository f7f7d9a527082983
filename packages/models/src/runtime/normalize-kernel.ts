import * as tf from '@tensorflow/tfjs';
import {
  checkFloat32SameShape,
  fusedKernelActive,
  gradientRegistrar,
  nativeOn,
  noHigherOrder,
  requireNative,
} from './fused-kernel';
import { nativeNormalizeDisabled, nativeNormalizeFor, type NativeNormalize } from './native-normalize';
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
 * Gradients: LoopNormalize's is LoopNormalizeGrad; LoopNormalizeGrad's is LoopNormalizeGrad with
 * g := dy for g (J symmetric) and LoopNormalizeGrad2 for x; LoopNormalizeGrad2 has none (third order).
 */
export const NORMALIZE_KERNEL = 'LoopNormalize';
export const NORMALIZE_GRAD_KERNEL = 'LoopNormalizeGrad';
export const NORMALIZE_GRAD2_KERNEL = 'LoopNormalizeGrad2';

const nativeNormalizeOf = (backend: WasmBackendInternals): NativeNormalize | null =>
  nativeOn(backend, nativeNormalizeDisabled, nativeNormalizeFor);

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

export const normalizeKernelConfigs: tf.KernelConfig[] = (
  [
    [NORMALIZE_KERNEL, 0],
    [NORMALIZE_GRAD_KERNEL, 1],
    [NORMALIZE_GRAD2_KERNEL, 2],
  ] as const
).map(([kernelName, mode]) => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: ((a: KernelArgs) => normalizeOnWasm(a, mode, kernelName)) as tf.KernelFunc,
}));

const run = (name: string, inputs: tf.NamedTensorMap, eps: number): tf.Tensor =>
  tf.engine().runKernel(name, inputs, { eps }) as tf.Tensor;

const normalizeGradients: tf.GradConfig[] = [
  {
    kernelName: NORMALIZE_KERNEL,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const eps = (attrs as { eps: number }).eps;
      return { x: () => run(NORMALIZE_GRAD_KERNEL, { x, g: dy as tf.Tensor }, eps) };
    },
  },
  {
    kernelName: NORMALIZE_GRAD_KERNEL,
    inputsToSave: ['x', 'g'],
    gradFunc: (dy, saved, attrs) => {
      const [x, g] = saved as [tf.Tensor, tf.Tensor];
      const eps = (attrs as { eps: number }).eps;
      return {
        g: () => run(NORMALIZE_GRAD_KERNEL, { x, g: dy as tf.Tensor }, eps),
        x: () => run(NORMALIZE_GRAD2_KERNEL, { x, g, u: dy as tf.Tensor }, eps),
      };
    },
  },
  {
    kernelName: NORMALIZE_GRAD2_KERNEL,
    inputsToSave: [],
    gradFunc: noHigherOrder(NORMALIZE_GRAD2_KERNEL, 'LayerNorm', 'second', 'LOOP_NATIVE_LAYERNORM'),
  },
];

/** Register the three kernels' gradients (global, backend-independent; idempotent). */
export const registerNormalizeGradients = gradientRegistrar(normalizeGradients);

/** Whether `fusedNormalize` would run the native kernel now. */
export function nativeNormalizeActive(): boolean {
  return fusedKernelActive(NORMALIZE_KERNEL, nativeNormalizeOf);
}

/** (x - mean) / sqrt(var + eps) over the last axis as one kernel, where `nativeNormalizeActive()`. */
export function fusedNormalize(x: tf.Tensor, eps: number): tf.Tensor {
  return run(NORMALIZE_KERNEL, { x }, eps);
}
