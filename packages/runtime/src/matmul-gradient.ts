import * as tf from '@tensorflow/tfjs';
import { wasmProductTakesFlags, wasmProductUsesXnnpack } from './wasm-kernels';

/**
 * BatchMatMul gradient that never passes transpose flags to matMul.
 *
 * Why: the wasm backend only takes its fast XNNPACK path for untransposed products; the stock
 * gradient passes transposeA/transposeB and falls back to a loop 10-15x slower. This version uses
 * explicit `tf.transpose` + plain `tf.matMul`, so it is built only from differentiable ops (the
 * model stays twice differentiable), and it also handles broadcast batch dimensions (the stock
 * 4.22 gradient fails on e.g. [B,T,C] x [C,D]) by summing over the broadcast axes.
 */

/** Swap the last two axes. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

/**
 * Reduce a gradient computed at the broadcast batch shape back to the input's shape: sum the
 * leading axes the input did not have and the axes where the input had size 1.
 */
export function reduceToShape(grad: tf.Tensor, shape: number[]): tf.Tensor {
  if (tf.util.arraysEqual(grad.shape, shape)) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && grad.shape[i] !== 1) axes.push(i);
  }
  const summed = axes.length > 0 ? tf.sum(grad, axes) : grad;
  return tf.util.arraysEqual(summed.shape, shape) ? summed : tf.reshape(summed, shape);
}

/**
 * op(x) @ op(y). Where a transposed operand costs nothing extra (any backend but wasm; on wasm, a
 * product the native kernel runs, as it reads transposed operands itself, or one that runs on the
 * scalar loop anyway: see `wasmProductTakesFlags`, `wasmProductUsesXnnpack`) the flags go to
 * matMul; otherwise the operand is transposed explicitly so the product keeps wasm's XNNPACK path.
 * Either way the values are the same; the flags save a Transpose kernel call (and, under double
 * backprop, its gradient).
 */
function product(x: tf.Tensor, y: tf.Tensor, tx: boolean, ty: boolean): tf.Tensor {
  if (
    (!tx && !ty) ||
    tf.getBackend() !== 'wasm' ||
    wasmProductTakesFlags(x.shape, y.shape, tx, ty) ||
    !wasmProductUsesXnnpack(x.shape, y.shape, tx, ty)
  ) {
    return tf.matMul(x, y, tx, ty);
  }
  return tf.matMul(tx ? swapLast(x) : x, ty ? swapLast(y) : y);
}

/** True when every batch dimension of `x` (all but the last two) is 1. */
function batchIsOne(x: tf.Tensor): boolean {
  return x.shape.slice(0, -2).every((d) => d === 1);
}

/**
 * Gradients of C = op(a) @ op(b) given dy, with op = transpose when the flag is set. Returned as
 * thunks so that an input that needs no gradient (e.g. a one-hot read-in) costs nothing.
 */
export function batchMatMulGrads(
  dy: tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
  transposeA: boolean,
  transposeB: boolean,
): { a: () => tf.Tensor; b: () => tf.Tensor } {
  const tA = transposeA;
  const tB = transposeB;
  const gradA = (): tf.Tensor => {
    let da: tf.Tensor;
    if (!tA && !tB) da = product(dy, b, false, true);
    else if (!tA && tB) da = product(dy, b, false, false);
    else if (tA && !tB) da = product(b, dy, false, true);
    else da = product(b, dy, true, true);
    return reduceToShape(da, a.shape);
  };
  const gradB = (): tf.Tensor => {
    // Fast path for "activations [.., M, K] times a shared weight [1.., K, N]": the summed weight
    // gradient is a single 2-D product of the flattened activations (no [batch, K, N] buffer).
    if (!tA && !tB && batchIsOne(b) && !batchIsOne(a)) {
      const a2 = tf.reshape(a, [-1, a.shape[a.rank - 1]]);
      const dy2 = tf.reshape(dy, [-1, dy.shape[dy.rank - 1]]);
      return tf.reshape(product(a2, dy2, true, false), b.shape);
    }
    let db: tf.Tensor;
    if (!tA && !tB) db = product(a, dy, true, false);
    else if (!tA && tB) db = product(dy, a, true, false);
    else if (tA && !tB) db = product(a, dy, false, false);
    else db = product(dy, a, true, true);
    return reduceToShape(db, b.shape);
  };
  return { a: gradA, b: gradB };
}

/** The untransposed BatchMatMul gradient (the registry holds this object while it is in effect). */
export const FAST_MATMUL_GRADIENT: tf.GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    return batchMatMulGrads(dy as tf.Tensor, a!, b!, Boolean(transposeA), Boolean(transposeB));
  },
};

/**
 * Register the untransposed BatchMatMul gradient (idempotent: checks the registry). Called by
 * `initBackend`; call it yourself if you select a backend another way.
 */
export function registerFastMatMulGradient(): void {
  if (tf.getGradient('BatchMatMul') !== FAST_MATMUL_GRADIENT) tf.registerGradient(FAST_MATMUL_GRADIENT);
}

/** Whether the untransposed BatchMatMul gradient is the registered one. */
export function isFastMatMulGradientRegistered(): boolean {
  return tf.getGradient('BatchMatMul') === FAST_MATMUL_GRADIENT;
}
