// One unit of the algorithmic study: train one method on one task with one seed, then measure
// length generalization at every length 1..testLength (oracle and adaptive stopping).

import { getTask } from '@loop/tasks';
import { STOPPING_RULES, createLoopedGPT, type LoopedGPT, type StoppingRule } from '@loop/models';
import {
  algorithmicProblem,
  loopedSchedule,
  resolveSchedule,
  shiftSchedule,
  singleSchedule,
  train,
  type AlgorithmicProblem,
  type EvalRecord,
  type Schedule,
  type TrainResult,
} from '@loop/shift';
import type { ExperimentContext } from '../../experiment';
import { unitModelConfig, type AlgorithmicConfig, type Method, type TaskSettings } from './config';
import { saveUnitWeights } from './eval';

/** One evaluation during training. */
export interface EvalPoint {
  step: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  /** Cumulative training wall time at this evaluation (s), evaluations excluded. */
  trainTimeS: number;
}

/** Exact-match accuracy at one test length. */
export interface LengthPoint {
  n: number;
  /** After exactly the final stage's loops per sample (T(n), or 1 for Single-Attn). */
  oracle: number;
  /** The configured stopping rule (`adaptiveRule`) over T_max loops; null for a 1-loop model. */
  adaptive: number | null;
  /** Mean loop count adaptive stopping chose at this length; null for a 1-loop model. */
  adaptiveLoops: number | null;
  /** Every stopping rule's accuracy and mean loops (absent for a 1-loop model and in older runs). */
  rules?: Partial<Record<StoppingRule, { acc: number; loops: number }>>;
}

export interface UnitResult {
  task: string;
  method: Method;
  seed: number;
  parameters: number;
  steps: number;
  evals: EvalPoint[];
  /** SHIFT: step of the switch to Looped-Attn and of the SCP plateau point (null when it never switched). */
  shiftStep: number | null;
  plateauStep: number | null;
  /** Loops of the final stage ('1' or 'T(n)'). */
  finalLoops: string;
  /** Step and reason when early stopping ended the unit before `steps` (absent: it trained every step). */
  stoppedEarly?: { step: number; reason: string };
  lengths: LengthPoint[];
  trainTimeS: number;
  evalTimeS: number;
  flops: number;
}

export function unitKey(task: string, method: Method, seed: number): string {
  return `${task}-${method}-seed${seed}`;
}

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

/**
 * The early-stopping rule of the study: validation accuracy 100% at each of the last `patience`
 * evaluations of the current stage, and the oracle accuracy at the longest test length (metric
 * `probe.oracleAcc`) within `delta` over them.
 */
export function earlyStopRule(
  es: { patience: number; delta: number },
  testLength: number,
): (evals: readonly EvalRecord[]) => string | null {
  return (evals) => {
    const stage = evals[evals.length - 1]?.stage;
    const last = evals.filter((e) => e.stage === stage).slice(-es.patience);
    if (last.length < es.patience) return null;
    if (!last.every((e) => e.metrics['valAcc'] === 1)) return null;
    const probe = last.map((e) => e.metrics['probe.oracleAcc'] ?? NaN);
    if (!probe.every(Number.isFinite)) return null;
    const moved = Math.max(...probe) - Math.min(...probe);
    return moved <= es.delta
      ? `validation accuracy 100% and accuracy at n=${testLength} within ${(100 * moved).toFixed(1)} points over the last ${es.patience} evaluations`
      : null;
  };
}

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
    // After an early stop the final evaluation repeats the stopping step: keep the final one.
    const evals: EvalPoint[] = result.evals
      .filter((e, i, all) => all[i + 1]?.step !== e.step)
      .map((e) => ({
        step: e.step,
        trainLoss: e.metrics['trainLoss'] ?? NaN,
        trainAcc: e.metrics['trainAcc'] ?? NaN,
        valLoss: e.metrics['valLoss'] ?? NaN,
        valAcc: e.metrics['valAcc'] ?? NaN,
        trainTimeS: e.trainMs / 1000,
      }));
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
    const shift = result.shifts[0];
    return {
      task: s.task,
      method,
      seed,
      parameters: model.parameterCount(),
      steps: result.steps,
      evals,
      shiftStep: shift ? shift.step : null,
      plateauStep: shift?.plateauStep ?? null,
      finalLoops: result.stages[result.stages.length - 1]?.loops ?? '?',
      ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
      lengths,
      trainTimeS: result.trainMs / 1000,
      evalTimeS: result.stages.reduce((a, x) => a + x.evalMs, 0) / 1000 + lengthEvalS,
      flops: result.flops,
    };
  } finally {
    model.dispose();
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

/** Oracle, adaptive and every stopping rule at each length 1..testLength, from the final metrics. */
function lengthPoints(m: Record<string, number>, testLength: number): LengthPoint[] {
  const lengths: LengthPoint[] = [];
  for (let n = 1; n <= testLength; n++) {
    const rules: LengthPoint['rules'] = {};
    for (const r of STOPPING_RULES) {
      const acc = m[`test${n}.rule.${r}.acc`];
      const loops = m[`test${n}.rule.${r}.loops`];
      if (acc !== undefined && loops !== undefined) rules[r] = { acc, loops };
    }
    lengths.push({
      n,
      oracle: m[`test${n}.oracleAcc`] ?? NaN,
      adaptive: m[`test${n}.adaptiveAcc`] ?? null,
      adaptiveLoops: m[`test${n}.adaptiveLoops`] ?? null,
      ...(Object.keys(rules).length > 0 ? { rules } : {}),
    });
  }
  return lengths;
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
