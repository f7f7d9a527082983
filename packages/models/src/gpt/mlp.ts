import * as tf from '@tensorflow/tfjs';
import { fusedGelu, nativeGeluActive } from '../runtime/gelu-kernel';

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
