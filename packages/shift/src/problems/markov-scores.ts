// Per-example scoring of a toy classifier on Markov prefixes: the one place that turns logits into
// correctness and negative log-likelihood, used by the problem's evaluation and by loop-bench.

import * as tf from '@tensorflow/tfjs';
import type { MarkovDataset } from '@loop/tasks';
import type { LoopedClassifier } from './toy-models';

/** Prediction examples: prefixes [rows, prefixLen] (row-major) and the token after each. */
export interface MarkovBatch {
  /** [rows, prefixLen] tokens. */
  input: Int32Array;
  /** [rows] next tokens. */
  target: Int32Array;
  rows: number;
  prefixLen: number;
}

/** A whole dataset as one batch (no copy). */
export function markovBatchOf(ds: MarkovDataset): MarkovBatch {
  return { input: ds.input, target: ds.target, rows: ds.size, prefixLen: ds.length - 1 };
}

/** Rows `indices` of a batch or dataset, as a new batch. */
export function markovRows(b: MarkovBatch, indices: ArrayLike<number>): MarkovBatch {
  const p = b.prefixLen;
  const input = new Int32Array(indices.length * p);
  const target = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i] as number;
    input.set(b.input.subarray(r * p, (r + 1) * p), i * p);
    target[i] = b.target[r] as number;
  }
  return { input, target, rows: indices.length, prefixLen: p };
}

/** Per-example correctness and negative log-likelihood under `loops` loops (chunks of `chunk` rows). */
export function markovScores(
  model: Pick<LoopedClassifier, 'logits'>,
  loops: number,
  b: MarkovBatch,
  chunk = 4096,
): { correct: Uint8Array; loss: Float64Array } {
  const correct = new Uint8Array(b.rows);
  const loss = new Float64Array(b.rows);
  const w = b.prefixLen;
  for (let start = 0; start < b.rows; start += chunk) {
    const n = Math.min(chunk, b.rows - start);
    const [pred, nll] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
      const x = tf.tensor2d(b.input.subarray(start * w, (start + n) * w), [n, w], 'int32');
      const y = tf.tensor1d(b.target.subarray(start, start + n), 'int32');
      const logits = model.logits(x, loops);
      const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
      const picked = tf.sum(tf.mul(logp, tf.oneHot(y, logits.shape[1])), -1);
      return [tf.argMax(logits, -1), tf.neg(picked)];
    });
    const p = pred.dataSync();
    const l = nll.dataSync();
    for (let i = 0; i < n; i++) {
      correct[start + i] = p[i] === b.target[start + i] ? 1 : 0;
      loss[start + i] = l[i] as number;
    }
    tf.dispose([pred, nll]);
  }
  return { correct, loss };
}

/** Mean of `values`, or of the entries `indices` (NaN when empty). */
export function groupMean(values: ArrayLike<number>, indices?: readonly number[]): number {
  let s = 0;
  if (indices) {
    for (const i of indices) s += values[i] as number;
    return indices.length ? s / indices.length : NaN;
  }
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return values.length ? s / values.length : NaN;
}
