import * as tf from '@tensorflow/tfjs';
import { detach } from '@loop/runtime';

export interface StepLossOptions {
  /**
   * Divide the summed cross-entropy by this many tokens instead of this batch's mask sum. Used for
   * micro-batching: pass the full batch's mask sum so that micro-batch losses add up exactly.
   */
  denominator?: number;
}

/**
 * log softmax over the last axis, x - (m + log sum exp(x - m)) with m = max(x): tf.logSumExp's
 * arithmetic (same values), twice differentiable (unlike the customGrad tf.logSoftmax). The shift m
 * is detached: the result does not depend on m mathematically, so its gradient through m is zero up
 * to rounding, and tf.logSumExp paid for it with a Max gradient whose broadcast Equal alone is the
 * slowest kernel of the loss on wasm (0.35 ms for [32, 21, 6]).
 */
export function logSoftmax(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const m = tf.max(detach(x), axis, true);
    const lse = tf.add(m, tf.log(tf.sum(tf.exp(tf.sub(x, m)), axis, true)));
    return tf.sub(x, lse);
  });
}

/** Validate `steps` against the batch size and the number of loops run; returns them as numbers. */
export function checkSteps(steps: ArrayLike<number>, batch: number, loops: number, fn: string): number[] {
  if (steps.length !== batch)
    throw new Error(`${fn}: steps must have one entry per sample (${batch}); got ${steps.length}`);
  const out = Array.from(steps, Number);
  out.forEach((s, b) => {
    if (!Number.isInteger(s) || s < 1 || s > loops) {
      throw new Error(
        `${fn}: steps[${b}] = ${s} must be an integer in 1..${loops} (the number of loops run)`,
      );
    }
  });
  return out;
}

/** Per-sample 0/1 selector for loop t (1-based) as a [B, 1] tensor. */
function selector(steps: number[], t: number): tf.Tensor2D {
  return tf.tensor2d(
    Float32Array.from(steps, (s) => (s === t ? 1 : 0)),
    [steps.length, 1],
  );
}

/**
 * Token-mean cross-entropy over masked positions where sample b is scored on the logits after its
 * own `steps[b]` loops (FOP-Loop training loss). Gradients flow through every loop up to each
 * sample's step. The per-sample gather is a 0/1 weighting (no gather op: wasm lacks its gradient).
 *
 *   L = - sum_b sum_p mask[b,p] * log softmax(logits_{steps[b]}[b,p])[target[b,p]] / sum(mask)
 */
export function stepLoss(
  logitsPerLoop: tf.Tensor3D[],
  target: tf.Tensor2D,
  mask: tf.Tensor2D,
  steps: ArrayLike<number>,
  options: StepLossOptions = {},
): tf.Scalar {
  if (logitsPerLoop.length === 0) throw new Error('stepLoss: logitsPerLoop is empty; run at least one loop');
  const [B, T, V] = logitsPerLoop[0].shape;
  if (!tf.util.arraysEqual(target.shape, [B, T]))
    throw new Error(`stepLoss: target shape [${target.shape}] must be [${B}, ${T}]`);
  if (!tf.util.arraysEqual(mask.shape, [B, T]))
    throw new Error(`stepLoss: mask shape [${mask.shape}] must be [${B}, ${T}]`);
  const s = checkSteps(steps, B, logitsPerLoop.length, 'stepLoss');
  if (options.denominator !== undefined && !(options.denominator > 0)) {
    throw new Error(`stepLoss: options.denominator must be > 0; got ${options.denominator}`);
  }
  return tf.tidy(() => {
    const targetOh = tf.cast(tf.oneHot(tf.cast(target, 'int32'), V), 'float32');
    const maskF = tf.cast(mask, 'float32');
    let total: tf.Tensor = tf.scalar(0);
    for (const t of new Set(s)) {
      const logp = logSoftmax(logitsPerLoop[t - 1]);
      const picked = tf.sum(tf.mul(logp, targetOh), -1); // [B, T]
      total = tf.add(total, tf.sum(tf.mul(picked, tf.mul(maskF, selector(s, t)))));
    }
    const denom =
      options.denominator !== undefined ? tf.scalar(options.denominator) : tf.maximum(tf.sum(maskF), 1);
    return tf.neg(tf.div(total, denom)) as tf.Scalar;
  });
}
