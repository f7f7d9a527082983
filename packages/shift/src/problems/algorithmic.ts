// TrainProblem for the looped GPT on an algorithmic task (Appendix E.2): online sampling with the
// reference length curriculum, per-sample loops from the stage (T(n) for Looped-Attn, 1 for
// Single-Attn), FOP step loss, and evaluation of train/validation loss and exact-match accuracy plus
// length generalization with oracle (T(n) loops) and adaptive (maximum-confidence) stopping.

import * as tf from '@tensorflow/tfjs';
import {
  createRng,
  curriculum,
  curriculumRampSteps,
  sliceBatch,
  splitBatch,
  type AlgorithmicTask,
  type Batch,
  type CurriculumSpec,
  type Rng,
  type RngState,
} from '@loop/tasks';
import {
  STOPPING_RULES,
  estimateActivationBytes,
  evaluateBatch,
  evaluateStopping,
  type StoppingRule,
  planMicroBatches,
  stepLoss,
  type GPTConfig,
  type LoopedGPT,
} from '@loop/models';
import type { EvalMetrics, MicroBatch, StageInfo, TrainProblem } from '../engine/problem';
import { loopsFor, type LoopSpec } from '../schedule/stages';
import type { JsonValue } from '../util/json';
import { checkInt, fail } from '../util/validate';
import { gptTrainFlops } from './flops';

export interface AlgorithmicProblemOptions {
  task: AlgorithmicTask;
  model: LoopedGPT;
  /** Training batch size (reference 64). */
  batchSize: number;
  /** Seed of every data stream (training batches, validation set, test sets). */
  seed: number;
  /** Length curriculum (default: the task's reference values); `{ fixed: n }` trains on lengths 1..n from the start. */
  curriculum?: CurriculumSpec | { fixed: number };
  /** Validation set: `size` samples with lengths 1..maxLength (default: the curriculum's final max length). */
  validation?: { size: number; maxLength?: number };
  /** Samples of a fresh training-distribution batch scored at each evaluation (default batchSize; 0 = skip). */
  trainEvalSize?: number;
  /** Length-generalization test lengths (default none), `testSize` samples each (default 256). */
  testLengths?: readonly number[];
  testSize?: number;
  /** Evaluate the test lengths at every evaluation (default) or only at the final one. */
  testAt?: 'every' | 'final';
  /**
   * Stopping rules scored at every test length beside oracle T(n) (default: all of STOPPING_RULES);
   * `rule` is the one reported as `adaptive` (default 'confidence-batch', the reference rule).
   */
  stopping?: { rule?: StoppingRule; rules?: readonly StoppingRule[]; patience?: number };
  /** Rows per forward pass during evaluation (default 256). */
  evalBatchSize?: number;
  /**
   * Score one test length at every evaluation (oracle T(n) only), as metric `probe.oracleAcc`:
   * e.g. twice the training length, to see when length generalization stops moving.
   */
  probe?: { length: number; size: number };
}

export interface AlgorithmicProblem extends TrainProblem<Batch> {
  readonly task: AlgorithmicTask;
  readonly model: LoopedGPT;
  /** Maximum training length at a 0-based step. */
  maxLengthAt(step: number): number;
  /** First step at which the curriculum is fully ramped (for `{ type: 'cosine', decayFrom }`). */
  readonly curriculumEnd: number;
}

interface Curriculum {
  at(step: number): number;
  rampSteps: number;
  finalMax: number;
}

function makeCurriculum(task: AlgorithmicTask, spec: AlgorithmicProblemOptions['curriculum']): Curriculum {
  if (spec && 'fixed' in spec) {
    const n = checkInt('curriculum.fixed', spec.fixed, 1, task.maxLength);
    return { at: () => n, rampSteps: 0, finalMax: n };
  }
  const source = spec ?? task;
  const finalMax = curriculum(source, Number.MAX_SAFE_INTEGER);
  return { at: (step) => curriculum(source, step), rampSteps: curriculumRampSteps(source), finalMax };
}

/** A copy of `batch` whose `steps` are the stage's loops per sample. */
function withStageLoops(batch: Batch, loops: LoopSpec): Batch {
  const steps = Int32Array.from(batch.steps, (s, b) => loopsFor(loops, batch.lengths[b] as number, s));
  return { ...batch, steps };
}

function tensorsOf(batch: Batch): { tokens: tf.Tensor2D; target: tf.Tensor2D; mask: tf.Tensor2D } {
  const shape: [number, number] = [batch.shape[0], batch.shape[1]];
  return {
    tokens: tf.tensor2d(batch.input, shape, 'int32'),
    target: tf.tensor2d(batch.target, shape, 'int32'),
    mask: tf.tensor2d(batch.mask, shape, 'float32'),
  };
}

function maskSum(batch: Batch): number {
  let s = 0;
  for (let i = 0; i < batch.mask.length; i++) s += batch.mask[i] as number;
  return s;
}

/** The validated options of a problem, with the curriculum and the stopping rules resolved. */
function settingsOf(options: AlgorithmicProblemOptions) {
  const { task, model } = options;
  if (!task || typeof task.batch !== 'function') fail('task', task, 'an AlgorithmicTask from getTask(name)');
  if (!model || typeof model.forward !== 'function')
    fail('model', model, 'a LoopedGPT from createLoopedGPT(config, { seed })');
  const batchSize = checkInt('batchSize', options.batchSize, 1);
  checkInt('seed', options.seed, Number.MIN_SAFE_INTEGER);
  const cur = makeCurriculum(task, options.curriculum);
  const evalBatchSize = checkInt('evalBatchSize', options.evalBatchSize ?? 256, 1);
  const trainEvalSize = checkInt('trainEvalSize', options.trainEvalSize ?? batchSize, 0);
  const testSize = checkInt('testSize', options.testSize ?? 256, 1);
  const testAt = options.testAt ?? 'every';
  if (testAt !== 'every' && testAt !== 'final') fail('testAt', testAt, "'every' or 'final'");
  const testLengths = (options.testLengths ?? []).map((n, i) =>
    checkInt(`testLengths[${i}]`, n, 1, task.maxLength),
  );
  const stoppingRule = options.stopping?.rule ?? 'confidence-batch';
  const stoppingRules = [...new Set([stoppingRule, ...(options.stopping?.rules ?? STOPPING_RULES)])];
  for (const r of stoppingRules)
    if (!STOPPING_RULES.includes(r)) fail('stopping.rules', r, `one of ${STOPPING_RULES.join(', ')}`);
  return {
    task,
    model,
    batchSize,
    cur,
    evalBatchSize,
    trainEvalSize,
    testSize,
    testAt,
    testLengths,
    stoppingRule,
    stoppingRules,
    patience: options.stopping?.patience,
  };
}

type Settings = ReturnType<typeof settingsOf>;

/** The fixed evaluation data: validation set, one test set per length, the probe length's set. */
function evaluationData(options: AlgorithmicProblemOptions, st: Settings) {
  const { task, cur } = st;
  const valMax = checkInt(
    'validation.maxLength',
    options.validation?.maxLength ?? cur.finalMax,
    1,
    task.maxLength,
  );
  const validation: Batch | null = options.validation
    ? task.batch({
        size: checkInt('validation.size', options.validation.size, 1),
        minLength: 1,
        maxLength: valMax,
        rng: createRng(options.seed).fork('validation'),
      })
    : null;
  const tests = st.testLengths.map((n) => ({
    n,
    batch: algorithmicTestBatch(task, options.seed, n, st.testSize),
  }));
  const probe = options.probe
    ? algorithmicTestBatch(
        task,
        options.seed,
        checkInt('probe.length', options.probe.length, 1, task.maxLength),
        checkInt('probe.size', options.probe.size, 1),
      )
    : null;
  return { validation, tests, probe };
}

/** Token-mean loss and exact-match accuracy under the stage's loops (evaluation, no gradients). */
function lossAndAccuracy(
  model: LoopedGPT,
  batch: Batch,
  stage: StageInfo,
  evalBatchSize: number,
): { loss: number; acc: number } {
  let lossSum = 0;
  let tokens = 0;
  let correct = 0;
  for (const part of splitBatch(withStageLoops(batch, stage.loops), evalBatchSize)) {
    const m = maskSum(part);
    const l = tf.tidy(() => {
      const t = tensorsOf(part);
      const perLoop = model.forward(t.tokens, { loops: Math.max(...part.steps), inference: true });
      return stepLoss(perLoop, t.target, t.mask, part.steps);
    });
    lossSum += (l.dataSync()[0] as number) * m;
    l.dispose();
    tokens += m;
    correct += evaluateBatch(model, part, { mode: 'oracle' }).correct.reduce((a, b) => a + b, 0);
  }
  return { loss: lossSum / Math.max(tokens, 1), acc: correct / batch.shape[0] };
}

/** Oracle accuracy at every test length, and for looping stages the adaptive rule and every stopping rule. */
function lengthMetrics(
  st: Settings,
  tests: readonly { n: number; batch: Batch }[],
  stage: StageInfo,
  metrics: EvalMetrics,
): void {
  const { task, model, cur } = st;
  const looped = stage.loops.kind !== 'fixed' || stage.loops.loops > 1;
  // The largest loop count the model was trained to read out after (for 'confidence-trained').
  const trainedLoops = loopsFor(stage.loops, cur.finalMax, task.steps(cur.finalMax));
  for (const { n, batch } of tests) {
    const s = lengthScores(model, withStageLoops(batch, stage.loops), {
      maxLoops: looped ? task.maxTestSteps(n) : 1,
      rules: looped ? st.stoppingRules : [],
      trainedLoops,
      evalBatchSize: st.evalBatchSize,
      ...(st.patience !== undefined ? { patience: st.patience } : {}),
    });
    metrics[`test${n}.oracleAcc`] = s.oracle;
    if (!looped) continue;
    const chosen = s.rules[st.stoppingRule]!;
    metrics[`test${n}.adaptiveAcc`] = chosen.acc;
    metrics[`test${n}.adaptiveLoops`] = chosen.loops;
    for (const r of st.stoppingRules) {
      metrics[`test${n}.rule.${r}.acc`] = s.rules[r]!.acc;
      metrics[`test${n}.rule.${r}.loops`] = s.rules[r]!.loops;
    }
  }
}

/** Micro-batches of consecutive rows, each weighted by its share of the masked tokens. */
function microBatches(batch: Batch, parts: number): MicroBatch<Batch>[] {
  const rows = batch.shape[0];
  const size = Math.ceil(rows / parts);
  const total = maskSum(batch);
  const out: MicroBatch<Batch>[] = [];
  for (let s = 0; s < rows; s += size) {
    const part = sliceBatch(batch, s, Math.min(rows, s + size));
    out.push({ batch: part, weight: maskSum(part) / total });
  }
  return out;
}

export function algorithmicProblem(options: AlgorithmicProblemOptions): AlgorithmicProblem {
  const st = settingsOf(options);
  const { task, model, cur, batchSize, evalBatchSize, trainEvalSize, testAt } = st;
  const root = createRng(options.seed);
  let trainRng: Rng = root.fork('train');
  const { validation, tests, probe } = evaluationData(options, st);
  return {
    task,
    model,
    variables: model.variables,
    variableNames: model.variableNames,
    curriculumEnd: cur.rampSteps,
    maxLengthAt: (step) => cur.at(step),
    nextBatch(step) {
      return task.batch({ size: batchSize, minLength: 1, maxLength: cur.at(step), rng: trainRng });
    },
    split: microBatches,
    microBatchesFor(batch, stage) {
      // Only the wasm heap is hard-capped (4 GB, and an overflow aborts the process).
      if (tf.getBackend() !== 'wasm') return 1;
      const loops = Math.max(...withStageLoops(batch, stage.loops).steps);
      const bytes = estimateActivationBytes(model.config, { seqLen: batch.shape[1], loops });
      return planMicroBatches(batch.shape[0], bytes).length;
    },
    loss(batch, stage) {
      const b = withStageLoops(batch, stage.loops);
      const t = tensorsOf(b);
      const perLoop = model.forward(t.tokens, { loops: Math.max(...b.steps) });
      return stepLoss(perLoop, t.target, t.mask, b.steps);
    },
    evaluate({ step, stage, final }) {
      const metrics: EvalMetrics = {};
      if (trainEvalSize > 0) {
        const maxLength = cur.at(Math.max(step - 1, 0));
        const fresh = task.batch({
          size: trainEvalSize,
          minLength: 1,
          maxLength,
          rng: root.fork(`train-eval/${step}`),
        });
        const r = lossAndAccuracy(model, fresh, stage, evalBatchSize);
        metrics.trainLoss = r.loss;
        metrics.trainAcc = r.acc;
      }
      if (validation) {
        const r = lossAndAccuracy(model, validation, stage, evalBatchSize);
        metrics.valLoss = r.loss;
        metrics.valAcc = r.acc;
      }
      if (testAt === 'every' || final) lengthMetrics(st, tests, stage, metrics);
      if (probe) {
        const b = withStageLoops(probe, stage.loops);
        metrics['probe.oracleAcc'] = lengthScores(model, b, { maxLoops: 1, rules: [], evalBatchSize }).oracle;
      }
      metrics.maxTrainLength = cur.at(Math.max(step - 1, 0));
      return metrics;
    },
    flops(batch, stage) {
      const b = withStageLoops(batch, stage.loops);
      return gptTrainFlops(model.config as GPTConfig, b.shape[0], b.shape[1], Math.max(...b.steps));
    },
    stepInfo(_batch, step) {
      return { maxLength: cur.at(step) };
    },
    state(): JsonValue {
      return { train: trainRng.state() as unknown as JsonValue };
    },
    restore(state) {
      const s = state as { train?: unknown } | null;
      if (!s || typeof s !== 'object' || !s.train)
        fail('problem state', state, '{ train: RngState } from a checkpoint of algorithmicProblem');
      trainRng = createRng.fromState(s.train as RngState);
    },
  };
}

/**
 * The fixed test set of one length: `size` samples of length n drawn from the seed's `test/<n>`
 * stream (what `algorithmicProblem` tests on, so a saved model can be re-scored on the same data).
 */
export function algorithmicTestBatch(task: AlgorithmicTask, seed: number, n: number, size: number): Batch {
  return task.batch({ size, length: n, rng: createRng(seed).fork(`test/${n}`) });
}

export interface LengthScores {
  /** Exact match after each sample's own `steps` (oracle T(n), or 1 loop for Single-Attn). */
  oracle: number;
  /** Per stopping rule: exact match and the mean loop count it chose. */
  rules: Partial<Record<StoppingRule, { acc: number; loops: number }>>;
}

/** Oracle and stopping-rule exact match of one batch, scored in chunks of `evalBatchSize` rows. */
export function lengthScores(
  model: LoopedGPT,
  batch: Batch,
  options: {
    maxLoops: number;
    rules: readonly StoppingRule[];
    trainedLoops?: number;
    patience?: number;
    evalBatchSize?: number;
  },
): LengthScores {
  const chunk = options.evalBatchSize ?? 256;
  const size = batch.shape[0];
  let oracle = 0;
  const sums = new Map<StoppingRule, { acc: number; loops: number }>(
    options.rules.map((r) => [r, { acc: 0, loops: 0 }]),
  );
  for (let s = 0; s < size; s += chunk) {
    const part = sliceBatch(batch, s, Math.min(size, s + chunk));
    const r = evaluateStopping(model, part, options);
    oracle += r.oracle.reduce((a, b) => a + b, 0);
    for (const [rule, sum] of sums) {
      const x = r.rules[rule]!;
      sum.acc += x.correct.reduce((a, b) => a + b, 0);
      sum.loops += x.loops.reduce((a, b) => a + b, 0);
    }
  }
  const rules: LengthScores['rules'] = {};
  for (const [rule, sum] of sums) rules[rule] = { acc: sum.acc / size, loops: sum.loops / size };
  return { oracle: oracle / size, rules };
}
