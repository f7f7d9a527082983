import * as tf from '@tensorflow/tfjs';

/**
 * Run f with Exp and Sigmoid gradients that save the input and recompute the output (as
 * @loop/hessian's enableSecondOrderGradients does), then restore tfjs' own: with them tfjs' walk
 * is exact to second order, so it can serve as the oracle for HVPs.
 */
export function withInputSavingGradients<T>(f: () => T): T {
  const originals = ['Exp', 'Sigmoid'].map((k) => tf.getGradient(k)!);
  const configs: Parameters<typeof tf.registerGradient>[0][] = [
    {
      kernelName: 'Exp',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.exp(x!)) }),
    },
    {
      kernelName: 'Sigmoid',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]) => ({
        x: () => {
          const s = tf.sigmoid(x!);
          return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
        },
      }),
    },
  ];
  const warn = console.warn; // tfjs warns on every re-registration
  console.warn = () => {};
  try {
    configs.forEach((c) => tf.registerGradient(c));
    return f();
  } finally {
    originals.forEach((c) => tf.registerGradient(c));
    console.warn = warn;
  }
}
