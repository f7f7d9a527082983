import * as tf from '@tensorflow/tfjs';
import { geluTanh } from '@loop/runtime';

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
