import * as tf from '@tensorflow/tfjs';
import { fusedKernelActive, requireNative } from './fused-kernel';
import { nativeAdamOfWasm, type NativeAdam } from './native-adam';
import { memoryOffsetOf, type KernelArgs, type WasmBackendInternals } from './wasm-backend';

/**
 * One Adam / AdamW update of a group of parameters as one kernel call on the wasm backend
 * (native/adam.c): the moments are flat vectors over the group (the parameters' elements one after
 * another), the parameters stay separate tensors, so nothing is concatenated or split.
 *
 * Kernel (wasm only): LoopAdamUpdate {m, v, p0..p(k-1), g0..g(k-1)} -> [m', v', p0'..p(k-1)'],
 * attrs AdamConstants & {count: k}. Not differentiable (an optimiser step).
 */
export const ADAM_KERNEL = 'LoopAdamUpdate';

/**
 * The update's constants, as the float32 scalars of @loop/shift's op-by-op update: `decay` is
 * AdamW's factor 1 - lr wd (null: none), `l2` Adam's penalty wd (null: none), `sqrtBc2` the
 * square root of 1 - b2^t and `step` lr / (1 - b1^t).
 */
export interface AdamConstants {
  decay: number | null;
  l2: number | null;
  b1: number;
  oneMinusB1: number;
  b2: number;
  oneMinusB2: number;
  sqrtBc2: number;
  eps: number;
  step: number;
}

const nativeAdamOf = (backend: WasmBackendInternals): NativeAdam | null => nativeAdamOfWasm(backend.wasm);

function adamOnWasm(args: KernelArgs): tf.TensorInfo[] {
  const { backend, kernel } = requireNative(ADAM_KERNEL, args.backend, nativeAdamOf);
  const c = args.attrs as unknown as AdamConstants & { count: number };
  const inputs = args.inputs;
  const { m, v } = inputs as { m: tf.TensorInfo; v: tf.TensorInfo };
  const params = Array.from({ length: c.count }, (_, i) => inputs[`p${i}`] as tf.TensorInfo);
  const grads = Array.from({ length: c.count }, (_, i) => inputs[`g${i}`] as tf.TensorInfo);
  const total = params.reduce((n, p) => n + tf.util.sizeFromShape(p.shape), 0);
  for (const t of [m, v, ...params, ...grads]) {
    if (t === undefined || t.dtype !== 'float32') {
      throw new Error(`${ADAM_KERNEL}: needs float32 m, v, p0..p${c.count - 1} and g0..g${c.count - 1}`);
    }
  }
  params.forEach((p, i) => {
    if (!tf.util.arraysEqual(p.shape, (grads[i] as tf.TensorInfo).shape)) {
      throw new Error(`${ADAM_KERNEL}: p${i} and g${i} differ in shape`);
    }
  });
  if (tf.util.sizeFromShape(m.shape) !== total || tf.util.sizeFromShape(v.shape) !== total) {
    throw new Error(`${ADAM_KERNEL}: m and v must have ${total} elements (the parameters' total)`);
  }
  const mOut = backend.makeOutput(m.shape, 'float32');
  const vOut = backend.makeOutput(v.shape, 'float32');
  const pOut = params.map((p) => backend.makeOutput(p.shape, 'float32'));
  const at = (t: tf.TensorInfo): number => memoryOffsetOf(backend, t);
  let offset = 0; // bytes into the flat moments
  params.forEach((p, i) => {
    const n = tf.util.sizeFromShape(p.shape);
    if (n === 0) return;
    kernel(
      at(p),
      at(grads[i] as tf.TensorInfo),
      at(m) + offset,
      at(v) + offset,
      at(pOut[i] as tf.TensorInfo),
      at(mOut) + offset,
      at(vOut) + offset,
      n,
      c.decay === null ? 0 : 1,
      c.decay ?? 1,
      c.l2 === null ? 0 : 1,
      c.l2 ?? 0,
      c.b1,
      c.oneMinusB1,
      c.b2,
      c.oneMinusB2,
      c.sqrtBc2,
      c.eps,
      c.step,
    );
    offset += 4 * n;
  });
  return [mOut, vOut, ...pOut];
}

export const adamKernelConfigs: tf.KernelConfig[] = [
  { kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc: adamOnWasm as unknown as tf.KernelFunc },
];

/** Whether `fusedAdamUpdate` runs the native kernel now (wasm with its kernels registered, not switched off). */
export function nativeAdamActive(): boolean {
  return fusedKernelActive(ADAM_KERNEL, nativeAdamOf);
}

/**
 * One update of `params` (with `grads`, same order and shapes) and their flat moments `m`, `v`
 * (float32, the parameters' elements one after another) as one kernel; returns the new tensors
 * (the caller assigns them). Only where `nativeAdamActive()`.
 */
export function fusedAdamUpdate(
  params: readonly tf.Tensor[],
  grads: readonly tf.Tensor[],
  m: tf.Tensor,
  v: tf.Tensor,
  constants: AdamConstants,
): { m: tf.Tensor; v: tf.Tensor; params: tf.Tensor[] } {
  if (params.length !== grads.length) {
    throw new Error(`fusedAdamUpdate: ${params.length} parameters but ${grads.length} gradients`);
  }
  const inputs: tf.NamedTensorMap = { m, v };
  params.forEach((p, i) => {
    inputs[`p${i}`] = p;
    inputs[`g${i}`] = grads[i] as tf.Tensor;
  });
  const attrs = { ...constants, count: params.length } as unknown as tf.NamedAttrMap;
  const [mOut, vOut, ...pOut] = tf.engine().runKernel(ADAM_KERNEL, inputs, attrs) as tf.Tensor[];
  return { m: mOut as tf.Tensor, v: vOut as tf.Tensor, params: pOut };
}
