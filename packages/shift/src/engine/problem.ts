// The small interface the engine trains. Adapters for the looped GPT on algorithmic tasks and for
// the toy attention models on the Markov language live in ../problems.

import type * as tf from '@tensorflow/tfjs';
import type { LoopSpec } from '../schedule/stages';
import type { JsonValue } from '../util/json';

/** The stage a step or evaluation runs in. */
export interface StageInfo {
  index: number;
  name: string;
  loops: LoopSpec;
}

export interface EvalContext {
  /** Completed optimisation steps. */
  step: number;
  stage: StageInfo;
  /** True for the evaluation at the end of training. */
  final: boolean;
}

/** Named scalar metrics, e.g. { valLoss, valAcc, trainAcc, 'acc@30/oracle': ... }. */
export type EvalMetrics = Record<string, number>;

export interface MicroBatch<B> {
  batch: B;
  /** Share of the full batch's loss (weights sum to 1), e.g. masked tokens / total masked tokens. */
  weight: number;
}

export interface TrainProblem<B = unknown> {
  /** Trainable variables, in a stable order with unique names. */
  readonly variables: readonly tf.Variable[];
  /** Logical names aligned with `variables` (e.g. LoopedGPT.variableNames), used as checkpoint keys. */
  readonly variableNames?: readonly string[];
  /** Optimisation steps per pass over a fixed dataset; needed for `epochs` and `evalEvery: { epochs }`. */
  readonly stepsPerEpoch?: number;
  /**
   * The batch for 0-based step `step`. Must be a pure function of `step` and the problem's state
   * (seeded RNG streams), so a resumed run draws the same batches.
   */
  nextBatch(step: number): B;
  /** Micro-batches for gradient accumulation (`microBatches` > 1). */
  split?(batch: B, parts: number): MicroBatch<B>[];
  /**
   * The fewest micro-batches `batch` needs in `stage` to fit in memory (e.g. the wasm backend's
   * 4 GB heap, which aborts the process when exceeded). The engine uses the larger of this and
   * the configured `microBatches`.
   */
  microBatchesFor?(batch: B, stage: StageInfo): number;
  /** Mean training loss of `batch` under the stage's loops. Runs inside tf.variableGrads. */
  loss(batch: B, stage: StageInfo): tf.Scalar;
  /** Evaluation metrics; the SCP criterion reads `criterionMetric` (default 'valLoss'). */
  evaluate?(ctx: EvalContext): EvalMetrics | Promise<EvalMetrics>;
  /** Approximate FLOPs of one training step (forward + backward) on `batch` in `stage`. */
  flops?(batch: B, stage: StageInfo): number;
  /** Extra numbers for the step record (e.g. the curriculum's current max length). */
  stepInfo?(batch: B, step: number): Record<string, number>;
  /** Data position (RNG streams, epoch order) for checkpoints; `restore` receives it back. */
  state?(): JsonValue;
  restore?(state: JsonValue): void;
}
