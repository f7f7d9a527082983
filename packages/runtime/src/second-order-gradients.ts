/**
 * Exact second-order gradients for stock tfjs 4.22.
 *
 * Kernels whose gradient reuses the saved OUTPUT (Exp, Tanh, Sigmoid, Softmax, LogSoftmax, Elu,
 * Pow, Max, Min) lose their second-order path: the engine clones the saved output onto the tape
 * before the kernel's own node, so backprop through the gradient never reaches the kernel's input.
 * The configs below save the INPUT instead and recompute the output with differentiable ops.
 * Comparison kernels (reached through max/min/logSumExp/where masks) get zero gradients, since
 * stock tfjs registers none and double backprop would otherwise throw.
 * First-order results are unchanged (same formulas, evaluated on the recomputed output).
 */
import * as tf from '@tensorflow/tfjs';

type GradConfig = Parameters<typeof tf.registerGradient>[0];

function single(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(dy) ? dy[0] : dy;
}

/** Restores the reduced axes of a reduction's output so it broadcasts against its input. */
function keepDimsShape(shape: number[], axes: number[]): number[] {
  const out = shape.slice();
  for (const a of axes) out[a] = 1;
  return out;
}

function parseAxes(axis: number | number[] | null | undefined, rank: number): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  return list.map((a) => (a < 0 ? a + rank : a));
}

const unary = (kernelName: string, derivative: (x: tf.Tensor) => tf.Tensor): GradConfig => ({
  kernelName,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => tf.mul(single(dy), derivative(x)) };
  },
});

const minMax = (kernelName: 'Max' | 'Min', axisAttr: 'reductionIndices' | 'axis'): GradConfig => ({
  kernelName,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const axes = parseAxes(attrs[axisAttr] as number | number[], x.rank);
    return {
      x: () => {
        const y = kernelName === 'Max' ? tf.max(x, axes, true) : tf.min(x, axes, true);
        const g = tf.reshape(single(dy), keepDimsShape(x.shape, axes));
        return tf.mul(g, tf.cast(tf.equal(x, y), g.dtype));
      },
    };
  },
});

const comparison = (kernelName: string): GradConfig => ({
  kernelName,
  inputsToSave: ['a', 'b'],
  gradFunc: (_dy, saved) => {
    const [a, b] = saved;
    return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
  },
});

function reduceTo(t: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, t.shape);
  const r = axes.length > 0 ? tf.sum(t, axes) : t;
  return tf.reshape(r, shape);
}

/** The gradient configs this module installs, keyed by kernel name. */
export const SECOND_ORDER_GRADIENTS: readonly GradConfig[] = [
  unary('Exp', (x) => tf.exp(x)),
  unary('Tanh', (x) => tf.sub(1, tf.square(tf.tanh(x)))),
  unary('Sigmoid', (x) => {
    const s = tf.sigmoid(x);
    return tf.mul(s, tf.sub(1, s));
  }),
  unary('Elu', (x) => tf.where(tf.greater(x, 0), tf.onesLike(x), tf.exp(tf.minimum(x, 0)))),
  unary('Rsqrt', (x) => tf.mul(-0.5, tf.div(tf.rsqrt(x), x))),
  unary('Sqrt', (x) => tf.div(0.5, tf.sqrt(x))),
  {
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    gradFunc: (dy, saved, attrs) => {
      const [logits] = saved;
      const dim = attrs.dim as number;
      return {
        logits: () => {
          const y = tf.softmax(logits, dim);
          const dyTimesY = tf.mul(single(dy), y);
          return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
        },
      };
    },
  },
  {
    kernelName: 'LogSoftmax',
    inputsToSave: ['logits'],
    gradFunc: (dy, saved, attrs) => {
      const [logits] = saved;
      const axis = parseAxes(attrs.axis as number | number[], logits.rank);
      return {
        logits: () => {
          const d = single(dy);
          const softmax = tf.exp(tf.sub(logits, tf.logSumExp(logits, axis, true)));
          return tf.sub(d, tf.mul(tf.sum(d, axis, true), softmax));
        },
      };
    },
  },
  {
    kernelName: 'Pow',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const d = single(dy);
      return {
        a: () => {
          const e = tf.cast(b, 'float32');
          return reduceTo(tf.mul(d, tf.mul(e, tf.pow(a, tf.sub(e, 1)))), a.shape);
        },
        b: () => {
          const logA = tf.where(tf.greater(a, 0), tf.log(a), tf.zerosLike(a));
          return reduceTo(tf.mul(d, tf.mul(tf.pow(a, b), logA)), b.shape);
        },
      };
    },
  },
  minMax('Max', 'reductionIndices'),
  minMax('Min', 'axis'),
  ...['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr'].map(
    comparison,
  ),
  {
    kernelName: 'LogicalNot',
    inputsToSave: ['x'],
    gradFunc: (_dy, saved) => {
      const [x] = saved;
      return { x: () => tf.zerosLike(x) };
    },
  },
];

/**
 * Registers the second-order-correct gradients in tfjs's global gradient registry.
 * Idempotent: checks the registry itself, so it is safe across module instances and repeated calls.
 * Returns the kernel names it (re-)registered in this call.
 */
export function enableSecondOrderGradients(): string[] {
  const changed: string[] = [];
  for (const config of SECOND_ORDER_GRADIENTS) {
    if (tf.getGradient(config.kernelName) !== config) {
      tf.registerGradient(config);
      changed.push(config.kernelName);
    }
  }
  return changed;
}

/** True when every gradient of SECOND_ORDER_GRADIENTS is the one registered in tfjs. */
export function isSecondOrderEnabled(): boolean {
  return SECOND_ORDER_GRADIENTS.every((c) => tf.getGradient(c.kernelName) === c);
}
