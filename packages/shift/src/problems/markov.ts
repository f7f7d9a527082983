// TrainProblem for the toy attention models on the Markov language (Appendix E.1): epochs over a
// fixed training set (shuffled per epoch with a seeded stream), the last token predicted from the
// others, fixed loops per stage, and accuracy split by information-content (IC) group.

import * as tf from '@tensorflow/tfjs';
import { createRng, shuffleInPlace, type MarkovDataset, type MarkovLanguage } from '@loop/tasks';
import type { EvalMetrics, MicroBatch, StageInfo, TrainProblem } from '../engine/problem';
import { checkInt, ConfigError, fail } from '../util/validate';
import { toyTrainFlops } from './flops';
import type { LoopedClassifier } from './toy-models';

export interface MarkovProblemOptions {
  language: MarkovLanguage;
  model: LoopedClassifier;
  batchSize: number;
  seed: number;
  /** Training set, or its size drawn with `language.dataset` (default 10,000 in @loop/tasks). */
  train?: MarkovDataset | { size: number };
  /** Validation set, or its size (fresh i.i.d. draws from q ~ p^alpha; default size 2,000). */
  validation?: MarkovDataset | { size: number };
  /** Fractions of the training sequences (by IC rank) that form the simple / complex groups (default 0.4 / 0.4). */
  groups?: { simple?: number; complex?: number };
  /** Length-generalization test lengths (Appendix E.1.3), `testSize` sequences each (default 2,000). */
  testLengths?: readonly number[];
  testSize?: number;
}

export interface MarkovBatch {
  /** [rows, prefixLen] tokens. */
  input: Int32Array;
  /** [rows] next tokens. */
  target: Int32Array;
  rows: number;
  prefixLen: number;
}

export interface MarkovProblem extends TrainProblem<MarkovBatch> {
  readonly train: MarkovDataset;
  readonly validation: MarkovDataset;
  /** IC thresholds of the groups: simple if IC <= simpleMaxIC, complex if IC >= complexMinIC. */
  readonly thresholds: { simpleMaxIC: number; complexMinIC: number; trainMaxIC: number };
}

function rowsOf(ds: MarkovDataset, idx: ArrayLike<number>): MarkovBatch {
  const p = ds.length - 1;
  const input = new Int32Array(idx.length * p);
  const target = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i] as number;
    input.set(ds.input.subarray(r * p, (r + 1) * p), i * p);
    target[i] = ds.target[r] as number;
  }
  return { input, target, rows: idx.length, prefixLen: p };
}

function loopsOf(stage: StageInfo, model: LoopedClassifier): number {
  if (stage.loops.kind !== 'fixed') {
    throw new ConfigError(
      `stage '${stage.name}' asks for ${stage.loops.kind === 'task' ? 'T(n)' : 'custom'} loops, but the Markov problem needs a fixed loop count (one of ${model.loopCounts.join(', ')})`,
    );
  }
  return stage.loops.loops;
}

export function markovProblem(options: MarkovProblemOptions): MarkovProblem {
  const { language, model } = options;
  if (!language || typeof language.dataset !== 'function')
    fail('language', language, 'a MarkovLanguage from markovLanguage(...)');
  if (!model || typeof model.logits !== 'function')
    fail('model', model, 'a LoopedClassifier, e.g. sharedToyModels({ dim, vocabSize, loops: [1, 3], seed })');
  const batchSize = checkInt('batchSize', options.batchSize, 1);
  checkInt('seed', options.seed, Number.MIN_SAFE_INTEGER);
  const root = createRng(options.seed);
  const dataset = (
    spec: MarkovDataset | { size: number } | undefined,
    label: string,
    fallback: number,
    includeAll: boolean,
  ): MarkovDataset =>
    spec && 'input' in spec
      ? spec
      : language.dataset({
          size: checkInt(`${label}.size`, spec?.size ?? fallback, 1),
          rng: root.fork(label),
          includeAll,
        });
  const train = dataset(options.train, 'train', 10_000, true);
  const validation = dataset(options.validation, 'validation', 2_000, false);
  const split = language.split(train, options.groups ?? {});
  const trainMaxIC = Math.max(...train.ic);
  const thresholds = { simpleMaxIC: split.simpleMaxIC, complexMinIC: split.complexMinIC, trainMaxIC };
  const testSize = checkInt('testSize', options.testSize ?? 2_000, 1);
  const tests = (options.testLengths ?? []).length
    ? language.lengthGeneralizationSets({
        lengths: options.testLengths,
        size: testSize,
        rng: root.fork('test'),
        train,
      })
    : [];
  const stepsPerEpoch = Math.ceil(train.size / batchSize);

  // The order of epoch e depends only on (seed, e): no state to carry across a resume.
  let orderEpoch = -1;
  let order: number[] = [];
  const epochOrder = (e: number): number[] => {
    if (e !== orderEpoch) {
      order = shuffleInPlace(
        Array.from({ length: train.size }, (_, i) => i),
        root.fork(`epoch/${e}`),
      );
      orderEpoch = e;
    }
    return order;
  };

  /** Logits [rows, V] and per-row negative log-likelihood of the target (call inside tidy). */
  const forward = (batch: MarkovBatch, loops: number): { logits: tf.Tensor2D; nll: tf.Tensor1D } => {
    const logits = model.logits(tf.tensor2d(batch.input, [batch.rows, batch.prefixLen], 'int32'), loops);
    const oh = tf.oneHot(tf.tensor1d(batch.target, 'int32'), model.vocabSize, 1, 0, 'float32');
    const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
    return { logits, nll: tf.neg(tf.sum(tf.mul(logp, oh), -1)) as tf.Tensor1D };
  };

  /** Mean loss and per-example correctness of a whole dataset (chunks of 4096 rows). */
  const score = (ds: MarkovDataset, loops: number): { loss: number; correct: Uint8Array } => {
    const correct = new Uint8Array(ds.size);
    let lossSum = 0;
    for (let s = 0; s < ds.size; s += 4096) {
      const idx = Array.from({ length: Math.min(4096, ds.size - s) }, (_, i) => s + i);
      const b = rowsOf(ds, idx);
      const [l, pred] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
        const { logits, nll } = forward(b, loops);
        return [tf.sum(nll), tf.argMax(logits, -1)];
      });
      lossSum += l.dataSync()[0] as number;
      const p = pred.dataSync();
      for (let i = 0; i < b.rows; i++) correct[s + i] = p[i] === b.target[i] ? 1 : 0;
      l.dispose();
      pred.dispose();
    }
    return { loss: lossSum / ds.size, correct };
  };
  const mean = (correct: Uint8Array, idx?: readonly number[]): number => {
    if (idx) return idx.length ? idx.reduce((a, i) => a + (correct[i] as number), 0) / idx.length : NaN;
    return correct.reduce((a, c) => a + c, 0) / correct.length;
  };
  const groupIdx = (ds: MarkovDataset) => ({
    simple: ds.ic.flatMap((ic, i) => (ic <= thresholds.simpleMaxIC ? [i] : [])),
    complex: ds.ic.flatMap((ic, i) => (ic >= thresholds.complexMinIC ? [i] : [])),
  });
  const valGroups = groupIdx(validation);
  const put = (m: EvalMetrics, key: string, v: number) => {
    if (Number.isFinite(v)) m[key] = v;
  };

  return {
    train,
    validation,
    thresholds,
    variables: model.variables,
    variableNames: model.variableNames,
    stepsPerEpoch,
    nextBatch(step) {
      const e = Math.floor(step / stepsPerEpoch);
      const k = step % stepsPerEpoch;
      const ord = epochOrder(e);
      return rowsOf(train, ord.slice(k * batchSize, Math.min(train.size, (k + 1) * batchSize)));
    },
    split(batch, parts): MicroBatch<MarkovBatch>[] {
      const size = Math.ceil(batch.rows / parts);
      const out: MicroBatch<MarkovBatch>[] = [];
      for (let s = 0; s < batch.rows; s += size) {
        const e = Math.min(batch.rows, s + size);
        out.push({
          batch: {
            input: batch.input.slice(s * batch.prefixLen, e * batch.prefixLen),
            target: batch.target.slice(s, e),
            rows: e - s,
            prefixLen: batch.prefixLen,
          },
          weight: (e - s) / batch.rows,
        });
      }
      return out;
    },
    loss(batch, stage) {
      return tf.tidy(() => tf.mean(forward(batch, loopsOf(stage, model)).nll) as tf.Scalar);
    },
    evaluate({ stage }) {
      const loops = loopsOf(stage, model);
      const m: EvalMetrics = {};
      const tr = score(train, loops);
      m.trainLoss = tr.loss;
      m.trainAcc = mean(tr.correct);
      put(m, 'trainAcc.simple', mean(tr.correct, split.simple));
      put(m, 'trainAcc.complex', mean(tr.correct, split.complex));
      const va = score(validation, loops);
      m.valLoss = va.loss;
      m.valAcc = mean(va.correct);
      put(m, 'valAcc.simple', mean(va.correct, valGroups.simple));
      put(m, 'valAcc.complex', mean(va.correct, valGroups.complex));
      for (const t of tests) {
        const r = score(t.dataset, loops);
        m[`test${t.length}.acc`] = mean(r.correct);
        put(
          m,
          `test${t.length}.simpleAcc`,
          mean(
            r.correct,
            t.dataset.ic.flatMap((ic, i) => (ic <= t.threshold ? [i] : [])),
          ),
        );
        m[`test${t.length}.simpleFraction`] = t.simpleFraction;
      }
      return m;
    },
    flops(batch, stage) {
      return toyTrainFlops(model.dim, model.vocabSize, batch.rows, batch.prefixLen, loopsOf(stage, model));
    },
  };
}
