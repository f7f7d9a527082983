import * as tf from '@tensorflow/tfjs';
import { reduceToShape } from './matmul-gradient';
import { passesGradientThrough } from './tape-gradients';

/**
 * Add, AddN, Sub, Multiply, Sum, Mean and Tile gradients without tfjs' no-op work; same values, fewer
 * kernels.
 *
 * Why: the stock Add and Sub gradients reshape dy to the shape it already has, one kernel per
 * input (dy itself is handed on instead where the tape walk allows it). The stock Multiply gradient
 * casts the other operand to float32 (a Cast kernel call even when it is float32) and reshapes a
 * reduced result to the shape it already has. The stock Sum and Mean gradients broadcast dy by
 * multiplying it with a tensor of ones built in JavaScript (a fill and a copy into the backend on
 * every call); a Tile of dy gives the same values in one kernel. The stock Tile gradient adds up one
 * slice per repetition (64 slices for a [672, 1] -> [672, 64] broadcast),
 * where a reshape and one Sum do. Every kernel call costs engine time and, under double backprop,
 * is itself recorded and differentiated. All are built only from differentiable ops (so
 * second-order gradients go through them).
 */

function asFloat(t: tf.Tensor): tf.Tensor {
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}

/** dy of a reduction over `axes` of x, reshaped to keep the reduced axes as size 1. */
function keepDims(dy: tf.Tensor, xShape: number[], axes: number[]): tf.Tensor {
  const shape = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
  return tf.reshape(dy, shape);
}

/** Broadcast a keep-dims tensor to x's shape (a new tensor even when nothing is repeated). */
function broadcastBack(t: tf.Tensor, xShape: number[]): tf.Tensor {
  const reps = xShape.map((d, i) => (t.shape[i] === d ? 1 : d));
  return reps.every((r) => r === 1) ? tf.reshape(t, xShape) : tf.tile(t, reps);
}

function reductionAxes(attrs: tf.NamedAttrMap, shape: number[]): number[] {
  return tf.util.parseAxisParam(attrs.axis as number | number[], shape);
}

/**
 * dy for an input of `shape` of an elementwise Add or Sub: dy itself where nothing was broadcast and
 * the tape walk allows it (tfjs' own gradient reshapes dy to the shape it already has, one kernel
 * call per input, and under double backprop a recorded Reshape differentiated once more).
 */
function sumGradient(dy: tf.Tensor, shape: number[]): tf.Tensor {
  if (tf.util.arraysEqual(dy.shape, shape)) return passesGradientThrough() ? dy : tf.reshape(dy, shape);
  return reduceToShape(dy, shape);
}

export const ARITHMETIC_GRADIENTS: readonly tf.GradConfig[] = [
  {
    kernelName: 'Add',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      return { a: () => sumGradient(g, a.shape), b: () => sumGradient(g, b.shape) };
    },
  },
  {
    // tfjs' gradient copies dy for every input (an Identity kernel each); summing hands dy on.
    kernelName: 'AddN',
    saveAllInputs: true,
    gradFunc: (dy, saved) => {
      const g = dy as tf.Tensor;
      const ders: Record<string, () => tf.Tensor> = {};
      saved.forEach((_, i) => {
        ders[i] = () => (passesGradientThrough() ? g : tf.clone(g));
      });
      return ders;
    },
  },
  {
    kernelName: 'Sub',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      return { a: () => sumGradient(g, a.shape), b: () => tf.neg(reduceToShape(g, b.shape)) };
    },
  },
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
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const d = keepDims(asFloat(dy as tf.Tensor), x.shape, reductionAxes(attrs, x.shape));
      return { x: () => broadcastBack(d, x.shape) };
    },
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const axes = reductionAxes(attrs, x.shape);
      const count = axes.reduce((n, a) => n * (x.shape[a] as number), 1);
      return {
        x: () => broadcastBack(tf.div(keepDims(asFloat(dy as tf.Tensor), x.shape, axes), count), x.shape),
      };
    },
  },
  {
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const reps = attrs.reps as number[];
      return {
        x: () => {
          // dy viewed as [r0, s0, r1, s1, ...]: the repetitions of x are the r axes; sum them.
          const split: number[] = [];
          const sumAxes: number[] = [];
          x.shape.forEach((s, i) => {
            const r = reps[i] as number;
            if (r > 1) {
              sumAxes.push(split.length);
              split.push(r);
            }
            split.push(s);
          });
          const g = dy as tf.Tensor;
          if (sumAxes.length === 0) return tf.reshape(g, x.shape);
          return tf.reshape(tf.sum(tf.reshape(g, split), sumAxes), x.shape);
        },
      };
    },
  },
];

/** Register the lean Add, AddN, Sub, Multiply, Sum, Mean and Tile gradients (idempotent); `initBackend` calls it. */
export function registerArithmeticGradients(): void {
  for (const config of ARITHMETIC_GRADIENTS) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
}

/** Whether the lean gradients of this module are the registered ones. */
export function arithmeticGradientsRegistered(): boolean {
  return ARITHMETIC_GRADIENTS.every((c) => tf.getGradient(c.kernelName) === c);
}
