// The records of one Markov training run: what it is asked to do (options, schedule) and what it
// hands back (per-evaluation points, Hessian snapshots, the run's result).

import type { MarkovBatch } from '@loop/shift';
import type { DataConfig, HessianConfig, ModelConfig, ShiftConfig, TrainConfig } from '../config';
import type { MarkovData } from '../data';

export type ModelKind = 'single' | 'looped';

/** How a run switches architecture: pure Single, pure Looped, SHIFT at a fixed epoch, or SHIFT by SCP. */
export type RunSchedule =
  | { kind: ModelKind }
  | { kind: 'shift-at'; epoch: number }
  | { kind: 'shift-scp'; criterion: ShiftConfig['criterion'] };

export interface EpochPoint {
  epoch: number;
  loops: number;
  trainLoss: number;
  acc: number;
  accLow: number;
  accHigh: number;
  valLoss: number;
  valAcc: number;
  /** Mean gradient norm over the steps since the previous evaluation (0 at epoch 0). */
  gradNorm: number;
  /** Cumulative training wall time (ms), evaluations excluded. */
  trainMs: number;
  /** Cosine of Single-Attn's and Looped-Attn's gradients w.r.t. the shared matrices (when measured). */
  alignment?: number;
}

export interface HessianPoint {
  epoch: number;
  dim: number;
  entropy: number;
  effectiveRank: number;
  negativeMassFraction: number;
  mutualInformation: number | null;
  riverDim: number;
  valleyDim: number;
  conditionNumber: number;
  shape: 'U' | 'V';
  lowCurvatureValleyCount: number;
  /** All eigenvalues, ascending. */
  eigenvalues: number[];
  seconds: number;
}

export interface TrainRunResult {
  label: string;
  /** Seed of the language the run trained on. */
  language: number;
  seed: number;
  epochs: EpochPoint[];
  hessian: HessianPoint[];
  /** Parameters of the final architecture. */
  parameterCount: number;
  trainMs: number;
  /** Estimated training FLOPs (engine's count). */
  flops: number;
  stepsPerEpoch: number;
  shift: { epoch: number; plateauEpoch: number | null; reason: string } | null;
  final: EpochPoint;
  /** Accuracy at other sequence lengths, when requested. */
  lengthGen?: { length: number; acc: number; simpleAcc: number | null; simpleCount: number; size: number }[];
}

export interface LengthSet {
  length: number;
  batch: MarkovBatch;
  simple: number[];
}

export interface TrainRunOptions {
  label: string;
  seed: number;
  language: number;
  data: MarkovData;
  dataCfg: DataConfig;
  model: ModelConfig;
  train: TrainConfig;
  schedule: RunSchedule;
  hessian?: HessianConfig;
  alignment?: boolean;
  /** Training examples for the Hessian / alignment loss (default hessian.samples). */
  probeSamples?: number;
  lengthSets?: LengthSet[];
}
