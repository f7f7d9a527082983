// Training options and their validation. Everything is checked before the first step, so a bad
// configuration fails fast with a message naming the field, the value and the allowed range.

import type { EvalRecord } from './records';
import type * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig } from '../optim/adamw';
import { resolveOptimizerConfig } from '../optim/adamw';
import { validateLrSchedule, type LrSchedule } from '../optim/lr-schedule';
import { resolveSchedule, type Schedule, type ScheduleSpec } from '../schedule/stages';
import { checkInt, checkNumber, ConfigError, fail } from '../util/validate';
import type { TrainProblem } from './problem';
import type { MetricsRecord } from './records';

export interface TrainOptimizerOptions extends OptimizerConfig {
  /** Clip the global gradient norm to this value (torch clip_grad_norm_); omit for no clipping. */
  clipNorm?: number;
  /** Learning-rate schedule (default constant). */
  lrSchedule?: LrSchedule;
}

export interface TrainOptions<B = unknown> {
  problem: TrainProblem<B>;
  /** Stages, a name ('single' | 'looped'), or a spec: { type: 'shift', criterion }, { type: 'progressive', ... }. */
  schedule: Schedule | ScheduleSpec | string;
  optimizer: TrainOptimizerOptions;
  /** Total optimisation steps (give this or `epochs`). */
  steps?: number;
  /** Passes over a fixed dataset; needs `problem.stepsPerEpoch`. */
  epochs?: number;
  /** Split each batch into this many micro-batches and accumulate their gradients (default 1). */
  microBatches?: number;
  /** Evaluate every N steps, or every N epochs; also at the end. Needed by criterion stages. */
  evalEvery?: number | { epochs: number };
  /** Metric the SCP criterion reads as validation loss (default 'valLoss'). */
  criterionMetric?: string;
  /** Folder of the checkpoint file `train-state.ckpt`. */
  checkpointDir?: string;
  /** Checkpoint every N steps (needs checkpointDir); a checkpoint is always written at the end. */
  checkpointEvery?: number;
  /** Continue from `checkpointDir` when it holds a checkpoint (otherwise start fresh). */
  resume?: boolean;
  /** Called with every metrics record. */
  onMetrics?: (record: MetricsRecord) => void;
  /** JSONL file receiving every metrics record. */
  metricsFile?: string;
  /** Write a step record every N steps (default 1). */
  logEvery?: number;
  /** Aborting it stops training after the current step, with a checkpoint (like SIGINT). */
  signal?: AbortSignal;
  /** Catch SIGINT during training: checkpoint, then stop cleanly (default true). */
  handleSigint?: boolean;
  /**
   * Early stopping: called after every evaluation of the schedule's last stage with the evaluations
   * so far (newest last); a returned reason ends training there (final evaluation and checkpoint
   * included, status 'completed', `stoppedEarly` set). The lr schedule keeps its total length.
   */
  stopWhen?: (evals: readonly EvalRecord[]) => string | null;
}

export interface ResolvedTrainConfig {
  schedule: Schedule;
  totalSteps: number;
  evalEvery: number | null;
  checkpointEvery: number | null;
  microBatches: number;
  logEvery: number;
  clipNorm: number | null;
  lrSchedule: LrSchedule;
  criterionMetric: string;
}

export function resolveTrainConfig<B>(options: TrainOptions<B>): ResolvedTrainConfig {
  if (options === null || typeof options !== 'object') fail('train(options)', options, 'an options object');
  const { problem } = options;
  if (
    problem === null ||
    typeof problem !== 'object' ||
    typeof problem.nextBatch !== 'function' ||
    typeof problem.loss !== 'function'
  ) {
    fail('problem', problem, 'a TrainProblem { variables, nextBatch(step), loss(batch, stage), ... }');
  }
  const variables: readonly tf.Variable[] = problem.variables;
  if (!Array.isArray(variables as unknown) || variables.length === 0) {
    fail('problem.variables', variables, 'a non-empty array of tf.Variable');
  }
  const unique = (field: string, list: readonly string[]) => {
    const seen = new Set<string>();
    for (const n of list) {
      if (seen.has(n)) throw new ConfigError(`${field}: duplicate name '${n}' (names must be unique)`);
      seen.add(n);
    }
  };
  unique(
    'problem.variables',
    variables.map((v) => v.name),
  );
  const names = problem.variableNames;
  if (names !== undefined) {
    if (!Array.isArray(names as unknown) || names.length !== variables.length) {
      fail(
        'problem.variableNames',
        names,
        `an array of ${variables.length} names aligned with problem.variables`,
      );
    }
    unique('problem.variableNames', names);
  }
  const schedule = resolveSchedule(options.schedule);
  resolveOptimizerConfig(options.optimizer);
  const clipNorm =
    options.optimizer.clipNorm === undefined
      ? null
      : checkNumber('optimizer.clipNorm', options.optimizer.clipNorm, { min: 0, minExclusive: true });
  const lrSchedule = validateLrSchedule(options.optimizer.lrSchedule ?? { type: 'constant' });

  const spe = problem.stepsPerEpoch;
  const needEpochs = (field: string): number => {
    if (spe === undefined)
      throw new ConfigError(
        `${field} needs problem.stepsPerEpoch (a fixed-dataset problem); give steps instead`,
      );
    return checkInt('problem.stepsPerEpoch', spe, 1);
  };
  if ((options.steps === undefined) === (options.epochs === undefined)) {
    throw new ConfigError(
      `give exactly one of steps or epochs (got steps = ${options.steps}, epochs = ${options.epochs})`,
    );
  }
  const totalSteps =
    options.steps !== undefined
      ? checkInt('steps', options.steps, 1)
      : checkInt('epochs', options.epochs, 1) * needEpochs('epochs');

  let evalEvery: number | null = null;
  if (typeof options.evalEvery === 'object' && options.evalEvery !== null) {
    evalEvery = checkInt('evalEvery.epochs', options.evalEvery.epochs, 1) * needEpochs('evalEvery.epochs');
  } else if (options.evalEvery !== undefined) {
    evalEvery = checkInt('evalEvery', options.evalEvery, 1);
  }
  const usesCriterion = schedule.some((s) => s.until.kind === 'criterion');
  if (usesCriterion && (evalEvery === null || typeof problem.evaluate !== 'function')) {
    throw new ConfigError(
      'a criterion (SCP) stage needs evalEvery and problem.evaluate to measure the validation loss',
    );
  }
  if (evalEvery !== null && typeof problem.evaluate !== 'function') {
    throw new ConfigError('evalEvery is set but the problem has no evaluate(ctx) method');
  }
  const checkpointEvery =
    options.checkpointEvery === undefined ? null : checkInt('checkpointEvery', options.checkpointEvery, 1);
  if ((checkpointEvery !== null || options.resume) && !options.checkpointDir) {
    throw new ConfigError('checkpointEvery and resume need checkpointDir');
  }
  const microBatches = checkInt('microBatches', options.microBatches ?? 1, 1);
  if (microBatches > 1 && typeof problem.split !== 'function') {
    throw new ConfigError(`microBatches = ${microBatches} needs problem.split(batch, parts)`);
  }
  const logEvery = checkInt('logEvery', options.logEvery ?? 1, 1);
  const criterionMetric = options.criterionMetric ?? 'valLoss';
  if (typeof criterionMetric !== 'string' || criterionMetric.length === 0)
    fail('criterionMetric', criterionMetric, 'a metric name');
  return {
    schedule,
    totalSteps,
    evalEvery,
    checkpointEvery,
    microBatches,
    logEvery,
    clipNorm,
    lrSchedule,
    criterionMetric,
  };
}
