// @loop/shift: training engine for looped transformers and SHIFT (staged Single-Attn -> Looped-Attn).

export { shiftCriterion, validateCriterionOptions } from './criterion/scp';
export type {
  ShiftCriterion,
  ShiftCriterionOptions,
  CriterionDecision,
  CriterionObservation,
  CriterionPhase,
  CriterionState,
} from './criterion/scp';

export { optimizationStep, stepGradients } from './engine/step';
export type { StepContext } from './engine/step';
export { createOptimizer, resolveOptimizerConfig } from './optim/adamw';
export type { Optimizer, OptimizerConfig, OptimizerState, ResolvedOptimizerConfig } from './optim/adamw';
export { globalNorm, clipByGlobalNorm } from './optim/clip';
export { learningRateAt, validateLrSchedule } from './optim/lr-schedule';
export type { LrSchedule } from './optim/lr-schedule';

export {
  singleSchedule,
  loopedSchedule,
  shiftSchedule,
  fixedShiftSchedule,
  progressiveSchedule,
} from './schedule/builders';
export type { ShiftScheduleOptions, ProgressiveScheduleOptions } from './schedule/builders';
export { resolveSchedule, loopsFor, describeLoops, SCHEDULE_TYPES } from './schedule/stages';
export type { Schedule, ScheduleSpec, Stage, LoopSpec, SwitchCondition } from './schedule/stages';
export { validateSchedule } from './schedule/validate-schedule';

export { train } from './engine/train';
export { TrainingFaultError } from './engine/fault';
export type { TrainResult } from './engine/train';
export { resolveTrainConfig } from './engine/config';
export type { TrainOptions, TrainOptimizerOptions, ResolvedTrainConfig } from './engine/config';
export type { TrainProblem, StageInfo, EvalContext, EvalMetrics, MicroBatch } from './engine/problem';
export type {
  MetricsRecord,
  StartRecord,
  StepRecord,
  EvalRecord,
  ShiftRecord,
  CheckpointRecord,
  FaultRecord,
  InterruptedRecord,
  StoppedRecord,
  EndRecord,
  StageSummary,
  ShiftEvent,
} from './engine/records';
export {
  saveTrainState,
  loadTrainState,
  hasCheckpoint,
  checkpointPath,
  checkpointStep,
} from './engine/checkpoint-state';
export type { TrainState, NamedArray } from './engine/checkpoint-state';
export { ConfigError } from './util/validate';
export type { JsonValue } from './util/json';

export { algorithmicProblem } from './problems/algorithmic';
export type { AlgorithmicProblem, AlgorithmicProblemOptions } from './problems/algorithmic';
export { algorithmicTestBatch, lengthScores } from './problems/length-scores';
export type { LengthScores } from './problems/length-scores';
export { gptLoopFlops, gptTrainFlops, toyTrainFlops } from './problems/flops';
export type { GptShape } from './problems/flops';
export { markovProblem } from './problems/markov';
export type { MarkovProblem, MarkovProblemOptions } from './problems/markov';
export { markovBatchOf, markovRows, markovScores, groupMean } from './problems/markov-scores';
export type { MarkovBatch } from './problems/markov-scores';
export { sharedToyModels } from './problems/toy-models';
export type { LoopedClassifier, SharedToyOptions } from './problems/toy-models';
