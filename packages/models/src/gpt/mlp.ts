import * as tf from '@tensorflow/tfjs';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). x^3 as x*x*x (no Pow). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  const x3 = tf.mul(tf.mul(x, x), x);
  const inner = tf.mul(tf.add(x, tf.mul(x3, 0.044715)), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** A linear layer on a 2-D input [N, in] (plain 2-D matMul: the fast XNNPACK path on wasm). */
export function linear(x2d: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  const y = tf.matMul(x2d as tf.Tensor2D, w as tf.Tensor2D);
  return (b ? tf.add(y, b) : y) as tf.Tensor2D;
}

/** 4x MLP: c_proj(gelu(c_fc(x))), on [N, C]. */
export function mlp(
  x2d: tf.Tensor,
  wFc: tf.Tensor,
  bFc: tf.Tensor,
  wProj: tf.Tensor,
  bProj: tf.Tensor,
): tf.Tensor2D {
  return linear(geluTanh(linear(x2d, wFc, bFc)), wProj, bProj);
}
