// TrainProblem for the toy attention models on the Markov language (Appendix E.1): epochs over a
// fixed training set (shuffled per epoch with a seeded stream), the last token predicted from the
// others, fixed loops per stage, and accuracy split by information-content (IC) group. loop-bench's
// Markov study trains through this problem with its own `evaluate`.

import * as tf from '@tensorflow/tfjs';
import { createRng, shuffleInPlace, type MarkovDataset, type MarkovLanguage } from '@loop/tasks';
import type { EvalMetrics, MicroBatch, StageInfo, TrainProblem } from '../engine/problem';
import { checkInt, ConfigError, fail } from '../util/validate';
import { toyTrainFlops } from './flops';
import { markovBatchOf, markovRows, markovScores, groupMean, type MarkovBatch } from './markov-scores';
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
  /** Replaces the default evaluation (train / validation / test accuracy by IC group). */
  evaluate?: TrainProblem<MarkovBatch>['evaluate'];
}

export interface MarkovProblem extends TrainProblem<MarkovBatch> {
  readonly train: MarkovDataset;
  readonly validation: MarkovDataset;
  /** IC thresholds of the groups: simple if IC <= simpleMaxIC, complex if IC >= complexMinIC. */
  readonly thresholds: { simpleMaxIC: number; complexMinIC: number; trainMaxIC: number };
}

function loopsOf(stage: StageInfo, model: LoopedClassifier): number {
  if (stage.loops.kind !== 'fixed') {
    throw new ConfigError(
      `stage '${stage.name}' asks for ${stage.loops.kind === 'task' ? 'T(n)' : 'custom'} loops, but the Markov problem needs a fixed loop count (one of ${model.loopCounts.join(', ')})`,
    );
  }
  return stage.loops.loops;
}

/** The training order of epoch e: a pure function of (seed, e), so a resume needs no state. */
function epochOrders(seed: number, size: number): (epoch: number) => number[] {
  const orderRng = createRng(seed).fork('markov-batches');
  let cachedEpoch = -1;
  let order: number[] = [];
  return (epoch) => {
    if (epoch !== cachedEpoch) {
      order = shuffleInPlace(
        Array.from({ length: size }, (_, i) => i),
        orderRng.fork(`epoch-${epoch}`),
      );
      cachedEpoch = epoch;
    }
    return order;
  };
}

/** Splits a batch into `parts` row ranges weighted by their share of the rows. */
function splitRows(batch: MarkovBatch, parts: number): MicroBatch<MarkovBatch>[] {
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
  const thresholds = {
    simpleMaxIC: split.simpleMaxIC,
    complexMinIC: split.complexMinIC,
    trainMaxIC: train.ic.reduce((a, b) => Math.max(a, b), -Infinity),
  };
  const stepsPerEpoch = Math.ceil(train.size / batchSize);
  const orderOf = epochOrders(options.seed, train.size);
  const trainBatch = markovBatchOf(train);
  const evaluate =
    options.evaluate ??
    defaultEvaluation({
      root,
      language,
      model,
      train,
      validation,
      split,
      thresholds,
      testLengths: options.testLengths,
      testSize: options.testSize,
    });

  return {
    train,
    validation,
    thresholds,
    variables: model.variables,
    variableNames: model.variableNames,
    stepsPerEpoch,
    nextBatch(step) {
      const k = step % stepsPerEpoch;
      const order = orderOf(Math.floor(step / stepsPerEpoch));
      return markovRows(trainBatch, order.slice(k * batchSize, Math.min(train.size, (k + 1) * batchSize)));
    },
    split: splitRows,
    loss(batch, stage) {
      const x = tf.tensor2d(batch.input, [batch.rows, batch.prefixLen], 'int32');
      const y = tf.tensor1d(batch.target, 'int32');
      return model.loss(x, y, loopsOf(stage, model));
    },
    evaluate,
    flops(batch, stage) {
      return toyTrainFlops(model.dim, model.vocabSize, batch.rows, batch.prefixLen, loopsOf(stage, model));
    },
  };
}

/** Train and validation loss / accuracy by IC group, and accuracy at the test lengths. */
function defaultEvaluation(o: {
  root: ReturnType<typeof createRng>;
  language: MarkovLanguage;
  model: LoopedClassifier;
  train: MarkovDataset;
  validation: MarkovDataset;
  split: { simple: number[]; complex: number[] };
  thresholds: MarkovProblem['thresholds'];
  testLengths?: readonly number[];
  testSize?: number;
}): NonNullable<TrainProblem<MarkovBatch>['evaluate']> {
  const { model, train, validation, split, thresholds } = o;
  const testSize = checkInt('testSize', o.testSize ?? 2_000, 1);
  const tests = (o.testLengths ?? []).length
    ? o.language.lengthGeneralizationSets({
        lengths: o.testLengths,
        size: testSize,
        rng: o.root.fork('test'),
        train,
      })
    : [];
  const below = (ic: readonly number[], max: number) => ic.flatMap((v, i) => (v <= max ? [i] : []));
  const valSimple = below(validation.ic, thresholds.simpleMaxIC);
  const valComplex = validation.ic.flatMap((v, i) => (v >= thresholds.complexMinIC ? [i] : []));
  const put = (m: EvalMetrics, key: string, v: number) => {
    if (Number.isFinite(v)) m[key] = v;
  };
  return ({ stage }) => {
    const loops = loopsOf(stage, model);
    const m: EvalMetrics = {};
    const tr = markovScores(model, loops, markovBatchOf(train));
    m.trainLoss = groupMean(tr.loss);
    m.trainAcc = groupMean(tr.correct);
    put(m, 'trainAcc.simple', groupMean(tr.correct, split.simple));
    put(m, 'trainAcc.complex', groupMean(tr.correct, split.complex));
    const va = markovScores(model, loops, markovBatchOf(validation));
    m.valLoss = groupMean(va.loss);
    m.valAcc = groupMean(va.correct);
    put(m, 'valAcc.simple', groupMean(va.correct, valSimple));
    put(m, 'valAcc.complex', groupMean(va.correct, valComplex));
    for (const t of tests) {
      const r = markovScores(model, loops, markovBatchOf(t.dataset));
      m[`test${t.length}.acc`] = groupMean(r.correct);
      put(m, `test${t.length}.simpleAcc`, groupMean(r.correct, below(t.dataset.ic, t.threshold)));
      m[`test${t.length}.simpleFraction`] = t.simpleFraction;
    }
    return m;
  };
}
