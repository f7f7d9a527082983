// Global gradient-norm clipping, as torch.nn.utils.clip_grad_norm_: scale every gradient by
// min(1, maxNorm / (norm + 1e-6)), where norm is the L2 norm over all gradients together.

import * as tf from '@tensorflow/tfjs';

/** L2 norm over all tensors together, as a scalar tensor (caller owns it). */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    const sq = grads.map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(sq)) as tf.Scalar;
  });
}

/** Scaled copies of `grads` with global norm at most `maxNorm` (`norm` is the pre-clip global norm). */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], norm: number, maxNorm: number): tf.Tensor[] {
  const coef = maxNorm / (norm + 1e-6);
  if (!(coef < 1)) return grads.map((g) => g.clone());
  return tf.tidy(() => grads.map((g) => tf.mul(g, coef)));
}
