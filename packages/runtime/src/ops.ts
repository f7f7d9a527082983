// Ops over the fused kernels: on wasm each runs as one native kernel per derivative order (the
// *-kernel.ts files), elsewhere, or with its LOOP_NATIVE_* switch off, as plain tfjs ops. The model
// code calls these and never chooses a kernel itself.
import * as tf from '@tensorflow/tfjs';
import { fusedGelu, nativeGeluActive } from './gelu-kernel';
import { fusedNormalize, nativeNormalizeActive } from './normalize-kernel';
import { fusedSoftmax, nativeSoftmaxActive } from './softmax-kernel';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (GPT-2): 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3).
 * Computed as x sigmoid(2u), the same function (0.5 (1 + tanh u) = sigmoid(2u)), written
 * x sigmoid(x (a + b x^2)) with a = 2 sqrt(2/pi), b = 0.044715 a: six kernels instead of nine, and
 * wasm's Sigmoid is a vectorised XNNPACK kernel while its Tanh is a scalar loop.
 */
export function geluTanhOps(x: tf.Tensor): tf.Tensor {
  const a = 2 * SQRT_2_OVER_PI;
  const u2 = tf.mul(x, tf.add(tf.mul(tf.square(x), 0.044715 * a), a));
  return tf.mul(x, tf.sigmoid(u2));
}

/**
 * GELU, tanh approximation: one native kernel per derivative order on wasm (gelu-kernel.ts: a
 * single pass over memory forward, backward and under double backprop), `geluTanhOps` elsewhere or
 * with LOOP_NATIVE_GELU=0. The two agree to float32 rounding (the kernel's own exp vs XNNPACK's
 * sigmoid), not bitwise.
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return x.dtype === 'float32' && nativeGeluActive() ? fusedGelu(x) : geluTanhOps(x);
}

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

/** Softmax over the last axis: on wasm with one-kernel derivatives (softmax-kernel.ts), else tf.softmax. */
export function softmaxLastAxis(x: tf.Tensor): tf.Tensor {
  return x.dtype === 'float32' && nativeSoftmaxActive() ? fusedSoftmax(x) : tf.softmax(x);
}
