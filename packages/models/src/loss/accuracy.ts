import * as tf from '@tensorflow/tfjs';

/**
 * Exact match per sample: 1 when the argmax prediction equals the target at every masked
 * position (pads included, as in the reference), else 0. A sample with an empty mask counts as 1.
 */
export function exactMatch(logits: tf.Tensor3D, target: tf.Tensor2D, mask: tf.Tensor2D): number[] {
  const [B, T] = logits.shape;
  if (!tf.util.arraysEqual(target.shape, [B, T]))
    throw new Error(`exactMatch: target shape [${target.shape}] must be [${B}, ${T}]`);
  if (!tf.util.arraysEqual(mask.shape, [B, T]))
    throw new Error(`exactMatch: mask shape [${mask.shape}] must be [${B}, ${T}]`);
  // Count wrong masked positions per sample inside tidy; read the small result outside.
  const wrong = tf.tidy(() => {
    const pred = tf.argMax(logits, -1);
    const bad = tf.cast(tf.notEqual(pred, tf.cast(target, 'int32')), 'float32');
    return tf.sum(tf.mul(bad, tf.cast(tf.greater(mask, 0), 'float32')), -1);
  });
  const data = wrong.dataSync();
  wrong.dispose();
  return Array.from(data, (w) => (w === 0 ? 1 : 0));
}
