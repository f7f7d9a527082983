// Evaluation of the algorithmic problem: train/validation loss and exact match under the stage's
// loops, and length generalization at the test lengths (oracle T(n), adaptive and every stopping
// rule) plus the optional probe length. The evaluation data is drawn once, from its own streams.

import * as tf from '@tensorflow/tfjs';
import { createRng, splitBatch, type Batch, type Rng } from '@loop/tasks';
import { evaluateBatch, stepLoss, type LoopedGPT } from '@loop/models';
import type { EvalContext, EvalMetrics, StageInfo } from '../engine/problem';
import { loopsFor } from '../schedule/stages';
import { checkInt } from '../util/validate';
import { maskSum, tensorsOf, withStageLoops } from './algorithmic-batch';
import type { AlgorithmicProblemOptions, AlgorithmicSettings } from './algorithmic-options';
import { algorithmicTestBatch, lengthScores } from './length-scores';
import { nextTurn } from '../engine/next-turn';

/** The fixed evaluation data: validation set, one test set per length, the probe length's set. */
export interface EvaluationData {
  validation: Batch | null;
  tests: { n: number; batch: Batch }[];
  probe: Batch | null;
}

export function evaluationData(options: AlgorithmicProblemOptions, st: AlgorithmicSettings): EvaluationData {
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

/** The metrics of one evaluation; `root` is the problem's seed stream (fresh train-eval batches fork it). */
export async function evaluateAlgorithmic(
  st: AlgorithmicSettings,
  data: EvaluationData,
  root: Rng,
  { step, stage, final }: EvalContext,
): Promise<EvalMetrics> {
  const { task, model, cur, evalBatchSize, trainEvalSize, testAt } = st;
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
  if (data.validation) {
    const r = lossAndAccuracy(model, data.validation, stage, evalBatchSize);
    metrics.valLoss = r.loss;
    metrics.valAcc = r.acc;
  }
  if (testAt === 'every' || final) await lengthMetrics(st, data.tests, stage, metrics);
  if (data.probe) {
    const b = withStageLoops(data.probe, stage.loops);
    metrics['probe.oracleAcc'] = lengthScores(model, b, { maxLoops: 1, rules: [], evalBatchSize }).oracle;
  }
  metrics.maxTrainLength = cur.at(Math.max(step - 1, 0));
  return metrics;
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
async function lengthMetrics(
  st: AlgorithmicSettings,
  tests: readonly { n: number; batch: Batch }[],
  stage: StageInfo,
  metrics: EvalMetrics,
): Promise<void> {
  const { task, model, cur } = st;
  const looped = stage.loops.kind !== 'fixed' || stage.loops.loops > 1;
  // The largest loop count the model was trained to read out after (for 'confidence-trained').
  const trainedLoops = loopsFor(stage.loops, cur.finalMax, task.steps(cur.finalMax));
  for (const { n, batch } of tests) {
    await nextTurn(); // see next-turn.ts: frees the WebGPU bind groups of the previous length
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
