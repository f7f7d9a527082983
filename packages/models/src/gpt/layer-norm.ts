import * as tf from '@tensorflow/tfjs';
import { fusedNormalize, nativeNormalizeActive } from '../runtime/normalize-kernel';

export const LAYER_NORM_EPS = 1e-5;

/**
 * LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gain + bias, with the biased
 * variance (as torch). Written with sub/mul/rsqrt only, so it is twice differentiable.
 */
export function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor, eps = LAYER_NORM_EPS): tf.Tensor {
  // On wasm the normalisation is one native kernel per derivative order (normalize-kernel.ts).
  if (x.dtype === 'float32' && nativeNormalizeActive())
    return tf.add(tf.mul(fusedNormalize(x, eps), gain), bias);
  const axis = x.rank - 1;
  const centred = tf.sub(x, tf.mean(x, axis, true));
  const variance = tf.mean(tf.mul(centred, centred), axis, true);
  const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, gain), bias);
}
