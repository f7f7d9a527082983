// The training loop: stages from a schedule, one optimiser across them, periodic evaluation feeding
// the SCP criterion, checkpoints that make resume exact, and fault handling.

import * as tf from '@tensorflow/tfjs';
import { shiftCriterion, type ShiftCriterion } from '../criterion/scp';
import { createOptimizer, type Optimizer } from '../optim/adamw';
import { learningRateAt } from '../optim/lr-schedule';
import { describeLoops, type Stage } from '../schedule/stages';
import {
  hasCheckpoint,
  loadTrainState,
  saveTrainState,
  checkpointPath,
  type TrainState,
} from './checkpoint-state';
import { resolveTrainConfig, type ResolvedTrainConfig, type TrainOptions } from './config';
import { MetricsLog } from './metrics-log';
import type { EvalMetrics, StageInfo, TrainProblem } from './problem';
import type { EvalRecord, ShiftEvent, StageSummary } from './records';
import { optimizationStep } from './step';

/** Thrown when the loss or a gradient becomes NaN/Inf; the last good checkpoint is left in place. */
export class TrainingFaultError extends Error {
  constructor(
    message: string,
    readonly step: number,
    readonly lastCheckpoint: string | null,
  ) {
    super(message);
    this.name = 'TrainingFaultError';
  }
}

export interface TrainResult {
  /** Completed optimisation steps. */
  steps: number;
  totalSteps: number;
  status: 'completed' | 'interrupted';
  /** Index and name of the stage at the end. */
  stage: { index: number; name: string };
  stages: StageSummary[];
  /** Every evaluation record, in order (restored across resumes). */
  evals: EvalRecord[];
  /** Metrics of the last evaluation (the final one when completed), or null if none ran. */
  finalMetrics: EvalMetrics | null;
  /** Steps at which stages switched, with the criterion's plateau point when there was one. */
  shifts: ShiftEvent[];
  trainMs: number;
  flops: number;
  checkpoint: string | null;
  /** Set when `stopWhen` ended training before `totalSteps`. */
  stoppedEarly: { step: number; reason: string } | null;
}

function scheduleFingerprint(schedule: Stage[]): string {
  return schedule.map((s) => `${s.name}:${describeLoops(s.loops)}:${s.until.kind}`).join('|');
}

function describeUntil(stage: Stage): string {
  const u = stage.until;
  switch (u.kind) {
    case 'criterion':
      return `SCP(plateauDelta=${u.criterion.plateauDelta}, plateauPatience=${u.criterion.plateauPatience}, gradDelta=${u.criterion.gradDelta}, gradPatience=${u.criterion.gradPatience})`;
    case 'atStep':
      return `step ${u.step}`;
    case 'afterSteps':
      return `${u.steps} steps`;
    case 'never':
      return 'end';
  }
}

function newSummary(index: number, stage: Stage, startStep: number): StageSummary {
  return {
    index,
    name: stage.name,
    loops: describeLoops(stage.loops),
    startStep,
    endStep: startStep,
    steps: 0,
    trainMs: 0,
    evalMs: 0,
    flops: 0,
  };
}

/** What stays fixed during a run. */
interface Run<B> {
  options: TrainOptions<B>;
  cfg: ResolvedTrainConfig;
  problem: TrainProblem<B>;
  schedule: Stage[];
  variables: readonly tf.Variable[];
  /** Logical variable names (checkpoints match by them; tfjs' own names differ between processes). */
  paramNames: string[];
  optimizer: Optimizer;
  log: MetricsLog;
  dir: string | null;
  fingerprint: string;
}

/** Everything the loop changes, in one plain record: what a checkpoint saves, plus bookkeeping. */
interface LoopState {
  step: number;
  stageIndex: number;
  stageStartStep: number;
  criterion: ShiftCriterion | null;
  stages: StageSummary[];
  evals: EvalRecord[];
  shifts: ShiftEvent[];
  /** Gradient norms since the last evaluation (their mean feeds SCP). */
  gradWindow: { sum: number; count: number };
  lastEvalStep: number;
  lastCheckpoint: string | null;
  stoppedEarly: TrainResult['stoppedEarly'];
  resumed: boolean;
  /** Set by SIGINT or the caller's AbortSignal: stop after the current step. */
  stopRequested: boolean;
}

/**
 * Trains `options.problem` through the stages of `options.schedule`. Resolves when training ends
 * or is interrupted (SIGINT / signal); rejects with TrainingFaultError on NaN/Inf and with
 * ConfigError on a bad configuration (before any step).
 */
export async function train<B>(options: TrainOptions<B>): Promise<TrainResult> {
  const run = setUp(options);
  const s = await initialState(run);
  const stopListener = listenForStop(run, s);
  try {
    if (!s.resumed) logStart(run, s);
    let justStopped = false;
    while (s.step < run.cfg.totalSteps && s.stoppedEarly === null) {
      if (s.stopRequested) return await interrupt(run, s);
      trainOneStep(run, s);
      // Evaluate, then decide whether training (early stop) or this stage (shift) ends here.
      const record = evalDue(run, s) ? await evaluate(run, s, s.step === run.cfg.totalSteps) : null;
      if (record && stopsEarly(run, s)) {
        justStopped = true;
        break;
      }
      maybeShift(run, s, record?.criterion);
      if (checkpointDue(run, s)) await checkpoint(run, s);
    }
    return await finish(run, s, justStopped);
  } finally {
    stopListener.remove();
    run.optimizer.dispose();
  }
}

// ---- set-up ----

function setUp<B>(options: TrainOptions<B>): Run<B> {
  const cfg = resolveTrainConfig(options);
  const { problem } = options;
  const variables = problem.variables;
  return {
    options,
    cfg,
    problem,
    schedule: cfg.schedule,
    variables,
    paramNames: variables.map((_, i) => problem.variableNames?.[i] ?? `param${i}`),
    optimizer: createOptimizer(options.optimizer, variables),
    log: new MetricsLog(options.metricsFile, options.onMetrics),
    dir: options.checkpointDir ?? null,
    fingerprint: scheduleFingerprint(cfg.schedule),
  };
}

const stageAt = <B>(run: Run<B>, i: number): Stage => run.schedule[i] as Stage;

function criterionFor<B>(run: Run<B>, i: number): ShiftCriterion | null {
  const u = stageAt(run, i).until;
  return u.kind === 'criterion' ? shiftCriterion(u.criterion) : null;
}

/** A fresh state, or the one in `checkpointDir` when resuming. */
async function initialState<B>(run: Run<B>): Promise<LoopState> {
  const s: LoopState = {
    step: 0,
    stageIndex: 0,
    stageStartStep: 0,
    criterion: criterionFor(run, 0),
    stages: [newSummary(0, stageAt(run, 0), 0)],
    evals: [],
    shifts: [],
    gradWindow: { sum: 0, count: 0 },
    lastEvalStep: -1,
    lastCheckpoint: null,
    stoppedEarly: null,
    resumed: false,
    stopRequested: run.options.signal?.aborted ?? false,
  };
  const { dir } = run;
  if (!(run.options.resume && dir && hasCheckpoint(dir))) {
    run.log.reset(null);
    return s;
  }
  const saved = await loadTrainState(dir);
  if (saved.scheduleFingerprint !== run.fingerprint) {
    throw new Error(
      `checkpoint in ${dir} was written for schedule '${saved.scheduleFingerprint}', not '${run.fingerprint}'`,
    );
  }
  if (saved.totalSteps !== run.cfg.totalSteps)
    throw new Error(
      `checkpoint in ${dir} is for ${saved.totalSteps} steps, this run has ${run.cfg.totalSteps}`,
    );
  restoreVariables(run.variables, run.paramNames, saved);
  run.optimizer.importState(saved.optimizer);
  if (run.problem.restore) run.problem.restore(saved.problem);
  s.step = saved.step;
  s.stageIndex = saved.stageIndex;
  s.stageStartStep = saved.stageStartStep;
  s.criterion = criterionFor(run, s.stageIndex);
  if (s.criterion && saved.criterion) s.criterion.restore(saved.criterion);
  s.stages = saved.stages;
  s.shifts = saved.shifts;
  s.evals = saved.evals;
  s.gradWindow = saved.gradWindow;
  s.lastEvalStep = saved.lastEvalStep;
  s.stoppedEarly = saved.stoppedEarly ?? null;
  run.log.reset(saved.metricsOffset);
  s.lastCheckpoint = checkpointPath(dir);
  s.resumed = true;
  return s;
}

/** SIGINT (unless handleSigint is false) and the caller's AbortSignal set `stopRequested`. */
function listenForStop<B>(run: Run<B>, s: LoopState): { remove(): void } {
  const onStop = () => {
    s.stopRequested = true;
  };
  const { signal } = run.options;
  signal?.addEventListener('abort', onStop);
  const sigint = run.options.handleSigint ?? true;
  if (sigint) process.on('SIGINT', onStop);
  return {
    remove() {
      signal?.removeEventListener('abort', onStop);
      if (sigint) process.removeListener('SIGINT', onStop);
    },
  };
}

// ---- small views of the state ----

const stageInfo = <B>(run: Run<B>, s: LoopState): StageInfo => ({
  index: s.stageIndex,
  name: stageAt(run, s.stageIndex).name,
  loops: stageAt(run, s.stageIndex).loops,
});
const base = <B>(run: Run<B>, s: LoopState) => ({
  step: s.step,
  stage: s.stageIndex,
  stageName: stageAt(run, s.stageIndex).name,
});
const currentStage = (s: LoopState): StageSummary => s.stages[s.stages.length - 1] as StageSummary;
const totals = (s: LoopState) =>
  s.stages.reduce((a, x) => ({ trainMs: a.trainMs + x.trainMs, flops: a.flops + x.flops }), {
    trainMs: 0,
    flops: 0,
  });
const evalDue = <B>(run: Run<B>, s: LoopState): boolean =>
  run.cfg.evalEvery !== null && s.step % run.cfg.evalEvery === 0;
const checkpointDue = <B>(run: Run<B>, s: LoopState): boolean =>
  run.cfg.checkpointEvery !== null && s.step % run.cfg.checkpointEvery === 0 && s.step < run.cfg.totalSteps;

// ---- the steps of the loop ----

function logStart<B>(run: Run<B>, s: LoopState): void {
  run.log.write({
    type: 'start',
    ...base(run, s),
    totalSteps: run.cfg.totalSteps,
    resumed: s.resumed,
    schedule: run.schedule.map((x) => ({
      name: x.name,
      loops: describeLoops(x.loops),
      until: describeUntil(x),
    })),
  });
}

/** One optimisation step: batch, gradients, the finite check, the update, the step record. */
function trainOneStep<B>(run: Run<B>, s: LoopState): void {
  const { cfg, problem, optimizer, log } = run;
  const stage = stageInfo(run, s);
  const t0 = performance.now();
  const batch = problem.nextBatch(s.step);
  const lr = learningRateAt(cfg.lrSchedule, optimizer.config.lr, s.step, cfg.totalSteps);
  const { loss, gradNorm, applied } = optimizationStep(
    { problem, variables: run.variables, optimizer, clipNorm: cfg.clipNorm, microBatches: cfg.microBatches },
    batch,
    stage,
    lr,
  );
  if (!applied) fault(run, s, stage, loss, gradNorm);
  const flops = problem.flops ? problem.flops(batch, stage) : 0;
  const info = problem.stepInfo ? problem.stepInfo(batch, s.step) : undefined;
  s.step += 1;
  const summary = currentStage(s);
  summary.trainMs += performance.now() - t0;
  summary.flops += flops;
  summary.steps += 1;
  summary.endStep = s.step;
  s.gradWindow.sum += gradNorm;
  s.gradWindow.count += 1;
  if (s.step % cfg.logEvery === 0 || s.step === cfg.totalSteps) {
    log.write({ type: 'step', ...base(run, s), loss, gradNorm, lr, ...totals(s), ...(info ? { info } : {}) });
  }
}

/** A NaN/Inf loss or gradient: log a fault and throw, with no update applied. */
function fault<B>(run: Run<B>, s: LoopState, stage: StageInfo, loss: number, gradNorm: number): never {
  const what = !Number.isFinite(loss) ? 'loss' : 'gradient';
  const value = what === 'loss' ? loss : gradNorm;
  const message =
    `non-finite ${what === 'loss' ? 'loss' : 'gradient norm'} (${value}) at step ${s.step + 1} in stage '${stage.name}'; ` +
    `no update applied. Last good checkpoint: ${s.lastCheckpoint ?? 'none (no checkpointDir or none written yet)'}`;
  run.log.write({
    type: 'fault',
    ...base(run, s),
    step: s.step + 1,
    what,
    value,
    message,
    lastCheckpoint: s.lastCheckpoint,
  });
  throw new TrainingFaultError(message, s.step + 1, s.lastCheckpoint);
}

/** Runs the problem's evaluation, feeds SCP (not on the final one) and records it. */
async function evaluate<B>(run: Run<B>, s: LoopState, final: boolean): Promise<EvalRecord> {
  const t0 = performance.now();
  const metrics = await (run.problem.evaluate as NonNullable<TrainProblem<B>['evaluate']>)({
    step: s.step,
    stage: stageInfo(run, s),
    final,
  });
  currentStage(s).evalMs += performance.now() - t0;
  const gradNorm = s.gradWindow.count > 0 ? s.gradWindow.sum / s.gradWindow.count : 0;
  s.gradWindow = { sum: 0, count: 0 };
  const record: EvalRecord = { type: 'eval', ...base(run, s), metrics, gradNorm, ...totals(s) };
  if (s.criterion && !final) {
    const valLoss = metrics[run.cfg.criterionMetric];
    if (typeof valLoss !== 'number') {
      throw new Error(
        `the SCP criterion reads metric '${run.cfg.criterionMetric}', but evaluate() returned only: ${Object.keys(metrics).join(', ')}`,
      );
    }
    record.criterion = s.criterion.update({ step: s.step, valLoss, gradNorm });
  }
  s.lastEvalStep = s.step;
  s.evals.push(record);
  run.log.write(record);
  return record;
}

/** `stopWhen`, asked in the last stage before the last step: a reason ends training here. */
function stopsEarly<B>(run: Run<B>, s: LoopState): boolean {
  const { stopWhen } = run.options;
  if (!stopWhen || s.stageIndex !== run.schedule.length - 1 || s.step >= run.cfg.totalSteps) return false;
  const reason = stopWhen(s.evals);
  if (!reason) return false;
  s.stoppedEarly = { step: s.step, reason };
  run.log.write({ type: 'stopped', ...base(run, s), reason });
  return true;
}

/** Moves to the next stage when the current one's `until` is met (SCP decision, step, step count). */
function maybeShift<B>(run: Run<B>, s: LoopState, decision: EvalRecord['criterion']): void {
  if (s.stageIndex >= run.schedule.length - 1) return;
  const u = stageAt(run, s.stageIndex).until;
  if (u.kind === 'criterion' && decision?.shift)
    enterNextStage(run, s, decision.reason, decision.plateauStep, decision.shiftStep);
  else if (u.kind === 'atStep' && s.step >= u.step)
    enterNextStage(run, s, `fixed shift step ${u.step} reached`);
  else if (u.kind === 'afterSteps' && s.step - s.stageStartStep >= u.steps)
    enterNextStage(run, s, `${u.steps} steps in stage '${stageAt(run, s.stageIndex).name}' done`);
}

function enterNextStage<B>(
  run: Run<B>,
  s: LoopState,
  reason: string,
  plateauStep?: number,
  shiftStep?: number,
): void {
  const from = stageAt(run, s.stageIndex);
  s.stageIndex += 1;
  s.stageStartStep = s.step;
  const to = stageAt(run, s.stageIndex);
  const reset = to.resetOptimizer === true;
  if (reset) run.optimizer.reset();
  s.criterion = criterionFor(run, s.stageIndex);
  s.stages.push(newSummary(s.stageIndex, to, s.step));
  s.shifts.push({
    step: s.step,
    from: from.name,
    to: to.name,
    ...(plateauStep !== undefined ? { plateauStep } : {}),
    reason,
  });
  run.log.write({
    type: 'shift',
    ...base(run, s),
    from: from.name,
    to: to.name,
    fromLoops: describeLoops(from.loops),
    toLoops: describeLoops(to.loops),
    reason,
    ...(plateauStep !== undefined ? { plateauStep } : {}),
    ...(shiftStep !== undefined ? { shiftStep } : {}),
    optimizerReset: reset,
  });
}

/** Saves the whole state to `<checkpointDir>/checkpoint` (nothing without a checkpointDir). */
async function checkpoint<B>(run: Run<B>, s: LoopState): Promise<string | null> {
  if (!run.dir) return null;
  const state: TrainState = {
    step: s.step,
    totalSteps: run.cfg.totalSteps,
    stageIndex: s.stageIndex,
    stageStartStep: s.stageStartStep,
    scheduleFingerprint: run.fingerprint,
    criterion: s.criterion ? s.criterion.state() : null,
    problem: run.problem.state ? run.problem.state() : null,
    stages: s.stages,
    shifts: s.shifts,
    evals: s.evals,
    gradWindow: s.gradWindow,
    lastEvalStep: s.lastEvalStep,
    metricsOffset: run.log.offset(),
    stoppedEarly: s.stoppedEarly,
    variables: run.variables.map((v, i) => ({
      name: run.paramNames[i] as string,
      shape: v.shape.slice(),
      data: v.dataSync().slice() as Float32Array,
    })),
    optimizer: run.optimizer.exportState(),
  };
  s.lastCheckpoint = await saveTrainState(run.dir, state);
  run.log.write({ type: 'checkpoint', ...base(run, s), path: s.lastCheckpoint });
  return s.lastCheckpoint;
}

async function interrupt<B>(run: Run<B>, s: LoopState): Promise<TrainResult> {
  const path = await checkpoint(run, s);
  run.log.write({ type: 'interrupted', ...base(run, s), checkpoint: path });
  return result(run, s, 'interrupted');
}

/** The final evaluation (also after an early stop, at the same step), the last checkpoint, the end record. */
async function finish<B>(run: Run<B>, s: LoopState, justStopped: boolean): Promise<TrainResult> {
  if (run.problem.evaluate && (s.lastEvalStep !== s.step || justStopped)) await evaluate(run, s, true);
  const path = await checkpoint(run, s);
  const t = totals(s);
  run.log.write({ type: 'end', ...base(run, s), stages: s.stages, trainMs: t.trainMs, flops: t.flops });
  return { ...result(run, s, 'completed'), checkpoint: path };
}

function result<B>(run: Run<B>, s: LoopState, status: TrainResult['status']): TrainResult {
  const last = s.evals[s.evals.length - 1];
  return {
    steps: s.step,
    totalSteps: run.cfg.totalSteps,
    status,
    stage: { index: s.stageIndex, name: stageAt(run, s.stageIndex).name },
    stages: s.stages,
    evals: s.evals,
    finalMetrics: last ? last.metrics : null,
    shifts: s.shifts,
    ...totals(s),
    checkpoint: s.lastCheckpoint,
    stoppedEarly: s.stoppedEarly,
  };
}

function restoreVariables(variables: readonly tf.Variable[], names: readonly string[], s: TrainState): void {
  if (s.variables.length !== variables.length) {
    throw new Error(`checkpoint has ${s.variables.length} variables, the model has ${variables.length}`);
  }
  variables.forEach((v, i) => {
    const saved = s.variables[i] as TrainState['variables'][number];
    // Matched by logical name and position (tfjs auto-names differ between processes).
    if (saved.name !== names[i] || saved.shape.join('x') !== v.shape.join('x')) {
      throw new Error(
        `checkpoint variable ${i} is '${saved.name}' [${saved.shape}], the model's is '${names[i]}' [${v.shape}]`,
      );
    }
    tf.tidy(() => v.assign(tf.tensor(saved.data, v.shape, 'float32')));
  });
}
