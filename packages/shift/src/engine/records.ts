// Shapes of the metrics records written to the JSONL log and passed to `onMetrics`.

import type { CriterionDecision } from '../criterion/scp';
import type { EvalMetrics } from './problem';

/** Per-stage accounting (SHIFT's efficiency figures). */
export interface StageSummary {
  index: number;
  name: string;
  /** Loops per sample, as text: '1', '3', 'T(n)', 'min(T(n), 4)'. */
  loops: string;
  startStep: number;
  /** Last completed step in this stage (startStep when none ran). */
  endStep: number;
  steps: number;
  /** Wall time of the training steps (ms), evaluation excluded. */
  trainMs: number;
  /** Wall time of the evaluations run in this stage (ms). */
  evalMs: number;
  /** Estimated training FLOPs (loops x block FLOPs, forward + backward). */
  flops: number;
}

/** A stage switch as reported in TrainResult.shifts. */
export interface ShiftEvent {
  step: number;
  from: string;
  to: string;
  plateauStep?: number;
  reason: string;
}

interface Base {
  /** Completed optimisation steps. */
  step: number;
  stage: number;
  stageName: string;
}

export interface StartRecord extends Base {
  type: 'start';
  totalSteps: number;
  resumed: boolean;
  schedule: { name: string; loops: string; until: string }[];
}

export interface StepRecord extends Base {
  type: 'step';
  loss: number;
  /** Global gradient L2 norm before clipping. */
  gradNorm: number;
  lr: number;
  /** Cumulative training wall time over all stages (ms). */
  trainMs: number;
  /** Cumulative estimated FLOPs. */
  flops: number;
  info?: Record<string, number>;
}

export interface EvalRecord extends Base {
  type: 'eval';
  metrics: EvalMetrics;
  /** Mean gradient norm over the steps since the previous evaluation (fed to SCP). */
  gradNorm: number;
  trainMs: number;
  flops: number;
  criterion?: CriterionDecision;
}

export interface ShiftRecord extends Base {
  type: 'shift';
  from: string;
  to: string;
  fromLoops: string;
  toLoops: string;
  reason: string;
  plateauStep?: number;
  shiftStep?: number;
  optimizerReset: boolean;
}

export interface CheckpointRecord extends Base {
  type: 'checkpoint';
  path: string;
}

export interface FaultRecord extends Base {
  type: 'fault';
  what: 'loss' | 'gradient';
  value: number;
  message: string;
  lastCheckpoint: string | null;
}

export interface InterruptedRecord extends Base {
  type: 'interrupted';
  checkpoint: string | null;
}

/** `stopWhen` ended training early (after this step's evaluation). */
export interface StoppedRecord extends Base {
  type: 'stopped';
  reason: string;
}

export interface EndRecord extends Base {
  type: 'end';
  stages: StageSummary[];
  trainMs: number;
  flops: number;
}

export type MetricsRecord =
  | StartRecord
  | StepRecord
  | EvalRecord
  | ShiftRecord
  | CheckpointRecord
  | FaultRecord
  | InterruptedRecord
  | StoppedRecord
  | EndRecord;
