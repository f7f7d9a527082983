import * as tf from '@tensorflow/tfjs';
import { reduceToShape } from './matmul-gradient';

/**
 * A Multiply gradient without tfjs' no-op kernels.
 *
 * Why: the stock gradient casts the other operand to float32 (a Cast kernel call even when it is
 * float32) and reshapes a reduced result to the shape it already has. They compute nothing, but
 * every kernel call costs engine time and, under double backprop, is itself recorded and
 * differentiated. This version returns the same values without them, built only from
 * differentiable ops (so second-order gradients go through it).
 */

function asFloat(t: tf.Tensor): tf.Tensor {
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}

// Add and Sub keep tfjs' gradients: with no broadcast their "no-op" reshape is what gives each input
// a tensor of its own, and the tape needs that (it disposes an output's gradient once used).
const GRADIENTS: Parameters<typeof tf.registerGradient>[0][] = [
  {
    kernelName: 'Multiply',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      // tf.mul returns a new tensor, and so does every reduction: each input gets its own gradient.
      return {
        a: () => reduceToShape(tf.mul(g, asFloat(b)), a.shape),
        b: () => reduceToShape(tf.mul(g, asFloat(a)), b.shape),
      };
    },
  },
];

/** Register the lean Multiply gradient (idempotent); `initBackend` calls it. */
export function registerArithmeticGradients(): void {
  for (const config of GRADIENTS) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
}

/** Whether the lean Multiply gradient is the registered one. */
export function arithmeticGradientsRegistered(): boolean {
  return GRADIENTS.every((c) => tf.getGradient(c.kernelName) === c);
}
