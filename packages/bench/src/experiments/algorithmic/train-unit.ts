// One unit of the algorithmic study: train one method on one task with one seed, then measure
// length generalization at every length 1..testLength (oracle and adaptive stopping).

import { getTask } from '@loop/tasks';
import { createLoopedGPT, type LoopedGPT } from '@loop/models';
import {
  algorithmicProblem,
  loopedSchedule,
  resolveSchedule,
  shiftSchedule,
  singleSchedule,
  train,
  type AlgorithmicProblem,
  type Schedule,
  type TrainResult,
} from '@loop/shift';
import type { ExperimentContext } from '../../experiment';
import { unitModelConfig, type AlgorithmicConfig, type Method, type TaskSettings } from './config';
import { earlyStopRule } from './early-stop';
import { saveUnitWeights } from './unit-weights';
import {
  evalPoints,
  lengthPoints,
  unitKey,
  unitResult,
  type EvalPoint,
  type LengthPoint,
  type UnitResult,
} from './unit-result';

/** Trains one unit, scores it at every test length, saves its final weights and emits its metrics. */
export async function trainUnit(
  ctx: ExperimentContext<AlgorithmicConfig>,
  s: TaskSettings,
  method: Method,
  seed: number,
): Promise<UnitResult> {
  const config = ctx.config;
  const model = createLoopedGPT(unitModelConfig(config, s, method), { seed });
  const key = unitKey(s.task, method, seed);
  try {
    const problem = problemOf(config, s, model, seed);
    const schedule = scheduleOf(method, config);
    const result = await trainModel(ctx, s, problem, schedule, key, `${s.task} ${method} seed ${seed}`);
    const evals = evalPoints(result);
    const t0 = performance.now();
    const lengths = lengthPoints(await finalMetrics(problem, schedule, result), s.testLength);
    const lengthEvalS = (performance.now() - t0) / 1000;
    await saveUnitWeights(ctx.out.file('weights', key), model, result.steps, {
      task: s.task,
      method,
      seed,
      maxTrainLength: s.maxTrainLength,
      testLength: s.testLength,
      loops: result.stages[result.stages.length - 1]?.loops ?? (method === 'single' ? '1' : 'T(n)'),
    });
    emitMetrics(ctx, `${s.task}/${method}/seed${seed}`, evals, lengths);
    return unitResult(
      { task: s.task, method, seed, parameters: model.parameterCount() },
      { result, evals, lengths, lengthEvalS },
    );
  } finally {
    model.dispose();
  }
}

/** Single-Attn: one loop; Looped-Attn (and -WO): T(n) loops; SHIFT: one loop until SCP fires, then T(n). */
function scheduleOf(method: Method, config: AlgorithmicConfig): Schedule {
  switch (method) {
    case 'single':
      return singleSchedule();
    case 'looped':
    case 'looped-wo':
      return loopedSchedule();
    case 'shift':
      return shiftSchedule({ criterion: config.scp });
  }
}

/** The training problem of a unit: the task's data stream, curriculum, validation and test sets. */
function problemOf(
  config: AlgorithmicConfig,
  s: TaskSettings,
  model: LoopedGPT,
  seed: number,
): AlgorithmicProblem {
  return algorithmicProblem({
    task: getTask(s.task),
    model,
    batchSize: config.batchSize,
    seed,
    curriculum:
      s.curriculumInterval === 0
        ? { fixed: s.maxTrainLength }
        : { start: 2, end: s.maxTrainLength + 1, interval: s.curriculumInterval },
    validation: { size: config.valSize, maxLength: s.maxTrainLength },
    trainEvalSize: config.trainEvalSize,
    testLengths: Array.from({ length: s.testLength }, (_, i) => i + 1),
    testSize: config.testSize,
    testAt: 'final',
    stopping: { rule: config.adaptiveRule, patience: config.fixedPointPatience },
    ...(config.earlyStop ? { probe: { length: s.testLength, size: config.testSize } } : {}),
  });
}

/** Trains with the engine (AdamW, the lr schedule, checkpoints, early stopping), with a progress bar. */
async function trainModel(
  ctx: ExperimentContext<AlgorithmicConfig>,
  s: TaskSettings,
  problem: AlgorithmicProblem,
  schedule: Schedule,
  key: string,
  label: string,
): Promise<TrainResult> {
  const config = ctx.config;
  const bar = ctx.progress.start(label, s.steps);
  let shown = 0; // steps the bar shows: a resumed unit starts at its checkpoint's step
  const result = await train({
    problem,
    schedule,
    optimizer: {
      type: 'adamw',
      lr: s.lr,
      weightDecay: config.weightDecay,
      clipNorm: config.clipNorm,
      lrSchedule:
        config.lrSchedule === 'cosine'
          ? { type: 'cosine', decayFrom: problem.curriculumEnd }
          : { type: 'constant' },
    },
    steps: s.steps,
    evalEvery: config.evalEvery,
    ...(config.checkpointEvery > 0
      ? {
          checkpointDir: ctx.out.file('checkpoints', key),
          checkpointEvery: config.checkpointEvery,
          resume: ctx.resume,
        }
      : {}),
    onMetrics: (r) => {
      if (r.type === 'step') {
        bar.tick(r.step - shown, `loss ${r.loss.toFixed(3)}`);
        shown = r.step;
      }
    },
    ...(config.earlyStop ? { stopWhen: earlyStopRule(config.earlyStop, s.testLength) } : {}),
  });
  bar.done();
  if (result.status !== 'completed')
    throw new Error(`${key} interrupted at step ${result.steps}; continue with --resume`);
  return result;
}

/**
 * Length generalization under the final stage: train's final evaluation runs the length tests
 * (testAt 'final'); evaluate here only if it did not (e.g. the run ended without one).
 */
async function finalMetrics(
  problem: AlgorithmicProblem,
  schedule: Schedule,
  result: TrainResult,
): Promise<Record<string, number>> {
  if (result.finalMetrics && 'test1.oracleAcc' in result.finalMetrics) return result.finalMetrics;
  const stage = resolveSchedule(schedule)[result.stage.index]!;
  return problem.evaluate!({
    step: result.steps,
    stage: { index: result.stage.index, name: stage.name, loops: stage.loops },
    final: true,
  });
}

function emitMetrics(
  ctx: ExperimentContext<AlgorithmicConfig>,
  run: string,
  evals: readonly EvalPoint[],
  lengths: readonly LengthPoint[],
): void {
  for (const e of evals) {
    ctx.metric({ series: 'train', run, step: e.step, values: { loss: e.trainLoss, acc: e.trainAcc } });
    ctx.metric({ series: 'val', run, step: e.step, values: { loss: e.valLoss, acc: e.valAcc } });
  }
  for (const l of lengths) {
    ctx.metric({
      series: 'length',
      run,
      step: l.n,
      values: { oracle: l.oracle, adaptive: l.adaptive, adaptiveLoops: l.adaptiveLoops },
    });
  }
}
