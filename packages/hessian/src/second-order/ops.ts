/** Twice-differentiable replacements for tfjs ops built with customGrad (which break double backprop). */
import * as tf from '@tensorflow/tfjs';

/** log softmax as x - logSumExp(x): differentiable to any order (tf.logSoftmax is not). */
export function logSoftmax(logits: tf.Tensor, axis = -1): tf.Tensor {
  return tf.tidy(() => tf.sub(logits, tf.logSumExp(logits, axis, true)));
}

/**
 * Mean cross-entropy of logits [..., C] against integer labels [...] (or one-hot [..., C]),
 * twice differentiable (unlike tf.losses.softmaxCrossEntropy).
 */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[logits.shape.length - 1];
    const oneHot = labels.dtype === 'int32' ? tf.oneHot(labels, classes) : labels;
    if (oneHot.shape.join(',') !== logits.shape.join(',')) {
      throw new Error(
        `labels must have shape [${logits.shape.slice(0, -1).join(', ')}] (int32) or [${logits.shape.join(', ')}] (one-hot), got [${labels.shape.join(', ')}]`,
      );
    }
    const perExample = tf.neg(tf.sum(tf.mul(tf.cast(oneHot, 'float32'), logSoftmax(logits)), -1));
    return tf.mean<tf.Scalar>(perExample);
  });
}
