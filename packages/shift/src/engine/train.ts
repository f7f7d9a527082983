// The training loop: stages from a schedule, one optimiser across them, periodic evaluation feeding
// the SCP criterion, checkpoints that make resume exact, and fault handling. The loop below names
// its steps; each lives in its own file (train-step, evaluate, stage-shift, loop-checkpoint).

import { describeLoops } from '../schedule/stages';
import type { EvalMetrics } from './problem';
import type { EvalRecord, ShiftEvent, StageSummary } from './records';
import type { TrainOptions } from './config';
import { evaluate, stopsEarly } from './evaluate';
import { checkpoint, initialState } from './loop-checkpoint';
import { base, checkpointDue, evalDue, totals, type LoopState } from './loop-state';
import { describeUntil, setUp, stageAt, type Run } from './run-context';
import { maybeShift } from './stage-shift';
import { listenForStop } from './stop-signal';
import { step } from './train-step';
import { nextTurn } from './next-turn';

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
      await nextTurn();
      if (s.stopRequested) return await interrupt(run, s);
      step(run, s);
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

/** A requested stop: checkpoint where the loop is, then return. */
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
