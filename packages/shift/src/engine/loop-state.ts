// Everything the training loop changes, in one plain record (what a checkpoint saves, plus
// bookkeeping), and the small read-only views of it that the loop's steps share.

import type { ShiftCriterion } from '../criterion/scp';
import { describeLoops, type Stage } from '../schedule/stages';
import type { StageInfo } from './problem';
import type { EvalRecord, ShiftEvent, StageSummary } from './records';
import { criterionFor, stageAt, type Run } from './run-context';

export interface LoopState {
  /** Completed optimisation steps. */
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
  stoppedEarly: { step: number; reason: string } | null;
  resumed: boolean;
  /** Set by SIGINT or the caller's AbortSignal: stop after the current step. */
  stopRequested: boolean;
}

/** The state before the first step of the first stage. */
export function freshState<B>(run: Run<B>): LoopState {
  return {
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
}

/** The running totals of a stage that starts at `startStep`. */
export function newSummary(index: number, stage: Stage, startStep: number): StageSummary {
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

export const stageInfo = <B>(run: Run<B>, s: LoopState): StageInfo => ({
  index: s.stageIndex,
  name: stageAt(run, s.stageIndex).name,
  loops: stageAt(run, s.stageIndex).loops,
});

/** The fields every metrics record starts with. */
export const base = <B>(run: Run<B>, s: LoopState) => ({
  step: s.step,
  stage: s.stageIndex,
  stageName: stageAt(run, s.stageIndex).name,
});

export const currentStage = (s: LoopState): StageSummary => s.stages[s.stages.length - 1] as StageSummary;

export const totals = (s: LoopState) =>
  s.stages.reduce((a, x) => ({ trainMs: a.trainMs + x.trainMs, flops: a.flops + x.flops }), {
    trainMs: 0,
    flops: 0,
  });

export const evalDue = <B>(run: Run<B>, s: LoopState): boolean =>
  run.cfg.evalEvery !== null && s.step % run.cfg.evalEvery === 0;

/** Periodic checkpoints skip the last step: finish() writes that one. */
export const checkpointDue = <B>(run: Run<B>, s: LoopState): boolean =>
  run.cfg.checkpointEvery !== null && s.step % run.cfg.checkpointEvery === 0 && s.step < run.cfg.totalSteps;
