// A tiny least-squares problem for engine tests: y = X w* + noise, loss = mean (X w - y)^2 on a
// batch of rows drawn with a seeded RNG (its state is the problem state, so resume is exact).
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng, type RngState } from '@loop/tasks';
import type { EvalMetrics, JsonValue, MicroBatch, StageInfo, TrainProblem } from '../../src';

export interface RowsBatch {
  x: Float32Array;
  y: Float32Array;
  rows: number;
}

export interface LinearProblem extends TrainProblem<RowsBatch> {
  w: tf.Variable;
  b: tf.Variable;
  dispose(): void;
  /** Loops seen by loss() per step (to check stage switching). */
  loopsSeen: number[];
}

export function linearProblem(opts: {
  seed: number;
  dim?: number;
  batch?: number;
  dataset?: number;
  nanAt?: number;
  evalLoss?: (step: number) => number;
}): LinearProblem {
  const dim = opts.dim ?? 4;
  const bs = opts.batch ?? 8;
  const n = opts.dataset ?? 64;
  const dataRng = createRng(opts.seed).fork('data');
  const wTrue = Array.from({ length: dim }, () => dataRng.next() * 2 - 1);
  const X = Float32Array.from({ length: n * dim }, () => dataRng.next() * 2 - 1);
  const Y = Float32Array.from({ length: n }, (_, i) => {
    let s = 0.3;
    for (let j = 0; j < dim; j++) s += (X[i * dim + j] as number) * (wTrue[j] as number);
    return s + 0.01 * (dataRng.next() - 0.5);
  });
  let rng: Rng = createRng(opts.seed).fork('batches');
  const w = tf.variable(tf.zeros([dim, 1]), true);
  const b = tf.variable(tf.zeros([1]), true);
  const loopsSeen: number[] = [];

  const batchOf = (idx: number[]): RowsBatch => {
    const x = new Float32Array(idx.length * dim);
    const y = new Float32Array(idx.length);
    idx.forEach((r, i) => {
      x.set(X.subarray(r * dim, (r + 1) * dim), i * dim);
      y[i] = Y[r] as number;
    });
    return { x, y, rows: idx.length };
  };
  const lossOf = (batch: RowsBatch): tf.Scalar =>
    tf.tidy(() => {
      const pred = tf.add(tf.matMul(tf.tensor2d(batch.x, [batch.rows, dim]), w), b);
      return tf.mean(tf.square(tf.sub(tf.reshape(pred, [batch.rows]), tf.tensor1d(batch.y)))) as tf.Scalar;
    });
  let steps = 0;

  return {
    w,
    b,
    loopsSeen,
    variables: [w, b],
    stepsPerEpoch: n / bs,
    nextBatch(step) {
      steps = step;
      return batchOf(Array.from({ length: bs }, () => rng.int(0, n - 1)));
    },
    split(batch, parts): MicroBatch<RowsBatch>[] {
      const size = Math.ceil(batch.rows / parts);
      const out: MicroBatch<RowsBatch>[] = [];
      for (let s = 0; s < batch.rows; s += size) {
        const e = Math.min(batch.rows, s + size);
        out.push({
          batch: { x: batch.x.slice(s * dim, e * dim), y: batch.y.slice(s, e), rows: e - s },
          weight: (e - s) / batch.rows,
        });
      }
      return out;
    },
    loss(batch, stage: StageInfo) {
      loopsSeen.push(stage.loops.kind === 'fixed' ? stage.loops.loops : -1);
      if (opts.nanAt !== undefined && steps + 1 === opts.nanAt)
        return tf.tidy(() => tf.mul(lossOf(batch), NaN) as tf.Scalar);
      return lossOf(batch);
    },
    evaluate({ step }): EvalMetrics {
      const l = lossOf(batchOf(Array.from({ length: n }, (_, i) => i)));
      const valLoss = l.dataSync()[0] as number;
      l.dispose();
      return { valLoss: opts.evalLoss ? opts.evalLoss(step) : valLoss, fullLoss: valLoss };
    },
    flops(batch) {
      return 3 * 2 * batch.rows * dim;
    },
    state(): JsonValue {
      return rng.state() as unknown as JsonValue;
    },
    restore(s) {
      rng = createRng.fromState(s as unknown as RngState);
    },
    dispose() {
      w.dispose();
      b.dispose();
    },
  };
}
