// The training loop: stages from a schedule, one optimiser across them, periodic evaluation feeding
// the SCP criterion, checkpoints that make resume exact, and fault handling.

import * as tf from '@tensorflow/tfjs';
import { shiftCriterion, type ShiftCriterion } from '../criterion/scp';
import { clipByGlobalNorm, globalNorm } from '../optim/clip';
import { createOptimizer } from '../optim/adamw';
import { learningRateAt } from '../optim/lr-schedule';
import { describeLoops, type Stage } from '../schedule/stages';
import {
  hasCheckpoint,
  loadTrainState,
  saveTrainState,
  checkpointPath,
  type TrainState,
} from './checkpoint-state';
import { resolveTrainConfig, type TrainOptions } from './config';
import { MetricsLog } from './metrics-log';
import type { EvalMetrics, StageInfo, TrainProblem } from './problem';
import type { EvalRecord, ShiftEvent, StageSummary } from './records';

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

/**
 * Trains `options.problem` through the stages of `options.schedule`. Resolves when training ends
 * or is interrupted (SIGINT / signal); rejects with TrainingFaultError on NaN/Inf and with
 * ConfigError on a bad configuration (before any step).
 */
export async function train<B>(options: TrainOptions<B>): Promise<TrainResult> {
  const cfg = resolveTrainConfig(options);
  const { problem } = options;
  const { schedule, totalSteps } = cfg;
  const variables = problem.variables;
  const optimizer = createOptimizer(options.optimizer, variables);
  const log = new MetricsLog(options.metricsFile, options.onMetrics);
  const dir = options.checkpointDir ?? null;
  const fingerprint = scheduleFingerprint(schedule);
  const paramNames = variables.map((_, i) => problem.variableNames?.[i] ?? `param${i}`);

  // ---- state (restored from a checkpoint when resuming) ----
  let step = 0;
  let stageIndex = 0;
  let stageStartStep = 0;
  let criterion: ShiftCriterion | null = null;
  let stages: StageSummary[] = [newSummary(0, schedule[0] as Stage, 0)];
  let evals: EvalRecord[] = [];
  let shifts: ShiftEvent[] = [];
  let gradWindow = { sum: 0, count: 0 };
  let lastEvalStep = -1;
  let lastCheckpoint: string | null = null;
  let resumed = false;
  let stoppedEarly: TrainResult['stoppedEarly'] = null;

  const stageAt = (i: number): Stage => schedule[i] as Stage;
  const makeCriterion = (i: number): ShiftCriterion | null => {
    const u = stageAt(i).until;
    return u.kind === 'criterion' ? shiftCriterion(u.criterion) : null;
  };
  criterion = makeCriterion(0);

  if (options.resume && dir && hasCheckpoint(dir)) {
    const s = await loadTrainState(dir);
    if (s.scheduleFingerprint !== fingerprint) {
      throw new Error(
        `checkpoint in ${dir} was written for schedule '${s.scheduleFingerprint}', not '${fingerprint}'`,
      );
    }
    if (s.totalSteps !== totalSteps)
      throw new Error(`checkpoint in ${dir} is for ${s.totalSteps} steps, this run has ${totalSteps}`);
    restoreVariables(variables, paramNames, s);
    optimizer.importState(s.optimizer);
    if (problem.restore) problem.restore(s.problem);
    step = s.step;
    stageIndex = s.stageIndex;
    stageStartStep = s.stageStartStep;
    criterion = makeCriterion(stageIndex);
    if (criterion && s.criterion) criterion.restore(s.criterion);
    stages = s.stages;
    shifts = s.shifts;
    evals = s.evals;
    gradWindow = s.gradWindow;
    lastEvalStep = s.lastEvalStep;
    stoppedEarly = s.stoppedEarly ?? null;
    log.reset(s.metricsOffset);
    lastCheckpoint = checkpointPath(dir);
    resumed = true;
  } else {
    log.reset(null);
  }

  const stageInfo = (): StageInfo => ({
    index: stageIndex,
    name: stageAt(stageIndex).name,
    loops: stageAt(stageIndex).loops,
  });
  const base = () => ({ step, stage: stageIndex, stageName: stageAt(stageIndex).name });
  const current = (): StageSummary => stages[stages.length - 1] as StageSummary;
  const totals = () =>
    stages.reduce((a, s) => ({ trainMs: a.trainMs + s.trainMs, flops: a.flops + s.flops }), {
      trainMs: 0,
      flops: 0,
    });

  const writeCheckpoint = async (): Promise<string | null> => {
    if (!dir) return null;
    const state: TrainState = {
      step,
      totalSteps,
      stageIndex,
      stageStartStep,
      scheduleFingerprint: fingerprint,
      criterion: criterion ? criterion.state() : null,
      problem: problem.state ? problem.state() : null,
      stages,
      shifts,
      evals,
      gradWindow,
      lastEvalStep,
      metricsOffset: log.offset(),
      stoppedEarly,
      variables: variables.map((v, i) => ({
        name: paramNames[i] as string,
        shape: v.shape.slice(),
        data: v.dataSync().slice() as Float32Array,
      })),
      optimizer: optimizer.exportState(),
    };
    lastCheckpoint = await saveTrainState(dir, state);
    log.write({ type: 'checkpoint', ...base(), path: lastCheckpoint });
    return lastCheckpoint;
  };

  const runEval = async (final: boolean): Promise<EvalRecord> => {
    const t0 = performance.now();
    const metrics = await (problem.evaluate as NonNullable<TrainProblem<B>['evaluate']>)({
      step,
      stage: stageInfo(),
      final,
    });
    current().evalMs += performance.now() - t0;
    const gradNorm = gradWindow.count > 0 ? gradWindow.sum / gradWindow.count : 0;
    gradWindow = { sum: 0, count: 0 };
    const record: EvalRecord = { type: 'eval', ...base(), metrics, gradNorm, ...totals() };
    if (criterion && !final) {
      const valLoss = metrics[cfg.criterionMetric];
      if (typeof valLoss !== 'number') {
        throw new Error(
          `the SCP criterion reads metric '${cfg.criterionMetric}', but evaluate() returned only: ${Object.keys(metrics).join(', ')}`,
        );
      }
      record.criterion = criterion.update({ step, valLoss, gradNorm });
    }
    lastEvalStep = step;
    evals.push(record);
    log.write(record);
    return record;
  };

  const enterNextStage = (reason: string, plateauStep?: number, shiftStep?: number): void => {
    const from = stageAt(stageIndex);
    stageIndex += 1;
    stageStartStep = step;
    const to = stageAt(stageIndex);
    const reset = to.resetOptimizer === true;
    if (reset) optimizer.reset();
    criterion = makeCriterion(stageIndex);
    stages.push(newSummary(stageIndex, to, step));
    shifts.push({
      step,
      from: from.name,
      to: to.name,
      ...(plateauStep !== undefined ? { plateauStep } : {}),
      reason,
    });
    log.write({
      type: 'shift',
      ...base(),
      from: from.name,
      to: to.name,
      fromLoops: describeLoops(from.loops),
      toLoops: describeLoops(to.loops),
      reason,
      ...(plateauStep !== undefined ? { plateauStep } : {}),
      ...(shiftStep !== undefined ? { shiftStep } : {}),
      optimizerReset: reset,
    });
  };

  // ---- interruption: SIGINT or the caller's AbortSignal stop after the current step ----
  let stopRequested = options.signal?.aborted ?? false;
  const onStop = () => {
    stopRequested = true;
  };
  options.signal?.addEventListener('abort', onStop);
  const sigint = options.handleSigint ?? true;
  if (sigint) process.on('SIGINT', onStop);

  try {
    if (!resumed) {
      log.write({
        type: 'start',
        ...base(),
        totalSteps,
        resumed,
        schedule: schedule.map((s) => ({
          name: s.name,
          loops: describeLoops(s.loops),
          until: describeUntil(s),
        })),
      });
    }
    let justStopped = false;
    while (step < totalSteps && stoppedEarly === null) {
      if (stopRequested) {
        const path = await writeCheckpoint();
        log.write({ type: 'interrupted', ...base(), checkpoint: path });
        return result('interrupted');
      }
      const stage = stageInfo();
      const t0 = performance.now();
      const batch = problem.nextBatch(step);
      const { loss, gradNorm, grads } = trainStep(batch, stage);
      const lr = learningRateAt(cfg.lrSchedule, optimizer.config.lr, step, totalSteps);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        const what = !Number.isFinite(loss) ? 'loss' : 'gradient';
        const value = what === 'loss' ? loss : gradNorm;
        const message =
          `non-finite ${what === 'loss' ? 'loss' : 'gradient norm'} (${value}) at step ${step + 1} in stage '${stage.name}'; ` +
          `no update applied. Last good checkpoint: ${lastCheckpoint ?? 'none (no checkpointDir or none written yet)'}`;
        grads.forEach((g) => g.dispose());
        log.write({ type: 'fault', ...base(), step: step + 1, what, value, message, lastCheckpoint });
        throw new TrainingFaultError(message, step + 1, lastCheckpoint);
      }
      optimizer.apply(grads, lr);
      grads.forEach((g) => g.dispose());
      const flops = problem.flops ? problem.flops(batch, stage) : 0;
      const info = problem.stepInfo ? problem.stepInfo(batch, step) : undefined;
      step += 1;
      const summary = current();
      summary.trainMs += performance.now() - t0;
      summary.flops += flops;
      summary.steps += 1;
      summary.endStep = step;
      gradWindow.sum += gradNorm;
      gradWindow.count += 1;
      if (step % cfg.logEvery === 0 || step === totalSteps) {
        log.write({ type: 'step', ...base(), loss, gradNorm, lr, ...totals(), ...(info ? { info } : {}) });
      }

      // Evaluate, then decide whether this stage (or, in the last stage, training) ends here.
      let decision: EvalRecord['criterion'];
      // The evaluation at the last step is the final one (problems run their length tests there).
      if (cfg.evalEvery !== null && step % cfg.evalEvery === 0) {
        decision = (await runEval(step === totalSteps)).criterion;
        const reason =
          options.stopWhen && stageIndex === schedule.length - 1 && step < totalSteps
            ? options.stopWhen(evals)
            : null;
        if (reason) {
          stoppedEarly = { step, reason };
          justStopped = true;
          log.write({ type: 'stopped', ...base(), reason });
          break;
        }
      }
      if (stageIndex < schedule.length - 1) {
        const u = stageAt(stageIndex).until;
        if (u.kind === 'criterion' && decision?.shift)
          enterNextStage(decision.reason, decision.plateauStep, decision.shiftStep);
        else if (u.kind === 'atStep' && step >= u.step) enterNextStage(`fixed shift step ${u.step} reached`);
        else if (u.kind === 'afterSteps' && step - stageStartStep >= u.steps)
          enterNextStage(`${u.steps} steps in stage '${stageAt(stageIndex).name}' done`);
      }
      if (cfg.checkpointEvery !== null && step % cfg.checkpointEvery === 0 && step < totalSteps)
        await writeCheckpoint();
    }
    // The final evaluation (length tests included) also follows an early stop, at the same step.
    if (problem.evaluate && (lastEvalStep !== step || justStopped)) await runEval(true);
    const path = await writeCheckpoint();
    const t = totals();
    log.write({ type: 'end', ...base(), stages, trainMs: t.trainMs, flops: t.flops });
    return { ...result('completed'), checkpoint: path };
  } finally {
    options.signal?.removeEventListener('abort', onStop);
    if (sigint) process.removeListener('SIGINT', onStop);
    optimizer.dispose();
  }

  // ---- helpers that close over the loop state ----
  function result(status: TrainResult['status']): TrainResult {
    const last = evals[evals.length - 1];
    return {
      steps: step,
      totalSteps,
      status,
      stage: { index: stageIndex, name: stageAt(stageIndex).name },
      stages,
      evals,
      finalMetrics: last ? last.metrics : null,
      shifts,
      ...totals(),
      checkpoint: lastCheckpoint,
      stoppedEarly,
    };
  }

  // Loss, pre-clip global gradient norm and the (clipped) gradients of one step, accumulated over micro-batches.
  function trainStep(batch: B, stage: StageInfo): { loss: number; gradNorm: number; grads: tf.Tensor[] } {
    const count = Math.max(cfg.microBatches, problem.microBatchesFor?.(batch, stage) ?? 1);
    const parts = count > 1 && problem.split ? problem.split(batch, count) : [{ batch, weight: 1 }];
    let acc: tf.Tensor[] | null = null;
    let lossSum: tf.Tensor = tf.scalar(0);
    for (const part of parts) {
      const { value, grads } = tf.variableGrads(
        () => tf.mul(problem.loss(part.batch, stage), part.weight) as tf.Scalar,
        variables as tf.Variable[],
      );
      const ordered = variables.map((v) => {
        const g = grads[v.name];
        // A variable the loss does not touch (e.g. a loop gate in Single-Attn) gets a zero gradient.
        return g ?? tf.zerosLike(v);
      });
      if (acc === null) acc = ordered;
      else {
        const prev: tf.Tensor[] = acc;
        acc = prev.map((a, i) => tf.add(a, ordered[i] as tf.Tensor));
        prev.forEach((t) => t.dispose());
        ordered.forEach((t) => t.dispose());
      }
      const nextLoss = tf.add(lossSum, value);
      lossSum.dispose();
      value.dispose();
      lossSum = nextLoss;
    }
    const grads = acc as tf.Tensor[];
    const norm = globalNorm(grads);
    const both = tf.stack([lossSum, norm]);
    const [loss, gradNorm] = Array.from(both.dataSync()) as [number, number];
    both.dispose();
    norm.dispose();
    lossSum.dispose();
    if (cfg.clipNorm === null || !Number.isFinite(gradNorm)) return { loss, gradNorm, grads };
    const clipped = clipByGlobalNorm(grads, gradNorm, cfg.clipNorm);
    grads.forEach((g) => g.dispose());
    return { loss, gradNorm, grads: clipped };
  }
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
