import * as tf from '@tensorflow/tfjs';
import { createToyAttention, type ToyAttention } from '@loop/models';
import type { StageInfo, TrainProblem } from '@loop/shift';
import { createRng, shuffleInPlace } from '@loop/tasks';

/** A batch of prediction examples: prefixes [size, width] and their next tokens. */
export interface PrefixBatch {
  input: Int32Array;
  target: Int32Array;
  size: number;
  width: number;
}

export interface ToyPair {
  /** Looped-Attn (K loops): owns every trainable variable (W_Q, W_K, W_V, W_O, gates). */
  looped: ToyAttention;
  /** Single-Attn view: same fixed embedding; run with the looped model's first four weights. */
  single: ToyAttention;
  /** The four matrices shared by both architectures (Single-Attn's parameters). */
  shared: tf.Variable[];
  dispose(): void;
}

/**
 * Single-Attn and Looped-Attn on ONE set of weights, so SHIFT can switch architecture mid-run
 * (Section 5): both toy models are built from the same seed (identical W_Q, W_K, W_V, W_O and fixed
 * embedding), and Single-Attn is evaluated with the looped model's matrices. Single-Attn training
 * leaves the loop gates untouched (zero gradient).
 */
export function createToyPair(o: {
  dim: number;
  vocabSize: number;
  loops: number;
  seed: number;
  gating: 'scalar' | 'vector' | 'none';
  positional: 'none' | 'sinusoidal';
}): ToyPair {
  const looped = createToyAttention({
    dim: o.dim,
    vocabSize: o.vocabSize,
    loops: o.loops,
    seed: o.seed,
    gating: o.gating,
    positional: o.positional,
  });
  const single = createToyAttention({
    dim: o.dim,
    vocabSize: o.vocabSize,
    loops: 1,
    seed: o.seed,
    positional: o.positional,
  });
  const shared = looped.variables.slice(0, 4);
  return {
    looped,
    single,
    shared,
    dispose() {
      looped.dispose();
      single.dispose();
    },
  };
}

/** Logits of the architecture with `loops` loops (1 = Single-Attn) on the shared weights. */
export function forwardWith(pair: ToyPair, loops: number, tokens: tf.Tensor2D): tf.Tensor2D {
  return loops === 1 ? pair.single.forward(tokens, pair.shared) : pair.looped.forward(tokens);
}

export function lossWith(pair: ToyPair, loops: number, tokens: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  return loops === 1 ? pair.single.loss(tokens, targets, pair.shared) : pair.looped.loss(tokens, targets);
}

/** Trainable parameters of an architecture: Single-Attn's four matrices, or all of Looped-Attn's. */
export function paramsOf(pair: ToyPair, loops: number): tf.Variable[] {
  return loops === 1 ? pair.shared : pair.looped.variables;
}

export function loopsOfStage(stage: StageInfo): number {
  if (stage.loops.kind !== 'fixed')
    throw new Error(`toy Markov problem: stage '${stage.name}' must use fixed loops`);
  return stage.loops.loops;
}

/** Per-example predictions and losses of a model on a batch (read outside tidy). */
export function predict(
  pair: ToyPair,
  loops: number,
  b: PrefixBatch,
  chunk = 4096,
): { correct: Uint8Array; loss: Float64Array } {
  const correct = new Uint8Array(b.size);
  const loss = new Float64Array(b.size);
  for (let start = 0; start < b.size; start += chunk) {
    const n = Math.min(chunk, b.size - start);
    const [pred, nll] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
      const x = tf.tensor2d(b.input.subarray(start * b.width, (start + n) * b.width), [n, b.width], 'int32');
      const y = tf.tensor1d(b.target.subarray(start, start + n), 'int32');
      const logits = forwardWith(pair, loops, x);
      const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
      const picked = tf.sum(tf.mul(logp, tf.oneHot(y, logits.shape[1])), -1);
      return [tf.argMax(logits, -1), tf.neg(picked)];
    });
    const p = pred.dataSync();
    const l = nll.dataSync();
    for (let i = 0; i < n; i++) {
      correct[start + i] = p[i] === b.target[start + i] ? 1 : 0;
      loss[start + i] = l[i]!;
    }
    tf.dispose([pred, nll]);
  }
  return { correct, loss };
}

export function meanOf(values: ArrayLike<number>, indices?: readonly number[]): number {
  if (indices) {
    if (indices.length === 0) return NaN;
    let s = 0;
    for (const i of indices) s += values[i]!;
    return s / indices.length;
  }
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length ? s / values.length : NaN;
}

/** Rows `indices` of a batch, as a new batch. */
export function subset(b: PrefixBatch, indices: readonly number[]): PrefixBatch {
  const input = new Int32Array(indices.length * b.width);
  const target = new Int32Array(indices.length);
  indices.forEach((i, k) => {
    input.set(b.input.subarray(i * b.width, (i + 1) * b.width), k * b.width);
    target[k] = b.target[i]!;
  });
  return { input, target, size: indices.length, width: b.width };
}

/**
 * The training problem for @loop/shift's `train`: mini-batches of the fixed training set, reshuffled
 * every epoch with a seeded stream (a pure function of the step, as the engine requires), loss
 * under the stage's loop count (1 = Single-Attn on the shared matrices).
 */
export function markovProblem(o: {
  pair: ToyPair;
  train: PrefixBatch;
  batchSize: number;
  seed: number;
  evaluate?: TrainProblem<PrefixBatch>['evaluate'];
}): TrainProblem<PrefixBatch> {
  const { pair, train } = o;
  const batchSize = Math.min(o.batchSize, train.size);
  const stepsPerEpoch = Math.ceil(train.size / batchSize);
  const orderRng = createRng(o.seed).fork('markov-batches');
  let cachedEpoch = -1;
  let order: number[] = [];
  const orderOf = (epoch: number): number[] => {
    if (epoch !== cachedEpoch) {
      order = shuffleInPlace(
        Array.from({ length: train.size }, (_, i) => i),
        orderRng.fork(`epoch-${epoch}`),
      );
      cachedEpoch = epoch;
    }
    return order;
  };
  return {
    variables: pair.looped.variables,
    stepsPerEpoch,
    nextBatch(step) {
      const epoch = Math.floor(step / stepsPerEpoch);
      const k = step % stepsPerEpoch;
      return subset(train, orderOf(epoch).slice(k * batchSize, Math.min(train.size, (k + 1) * batchSize)));
    },
    loss(batch, stage) {
      const x = tf.tensor2d(batch.input, [batch.size, batch.width], 'int32');
      const y = tf.tensor1d(batch.target, 'int32');
      return lossWith(pair, loopsOfStage(stage), x, y);
    },
    ...(o.evaluate ? { evaluate: o.evaluate } : {}),
    flops(batch, stage) {
      // Linear attention per loop: a few d x d products per token; order-of-magnitude only.
      const d = pair.looped.options.dim;
      return 6 * loopsOfStage(stage) * batch.size * batch.width * 4 * d * d;
    },
  };
}
