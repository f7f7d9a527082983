// What stays fixed during one call of train(): the options, the resolved config, the problem and
// its variables, the optimiser and the metrics log. The loop's changing values live in LoopState.

import type * as tf from '@tensorflow/tfjs';
import { shiftCriterion, type ShiftCriterion } from '../criterion/scp';
import { createOptimizer, type Optimizer } from '../optim/adamw';
import { describeLoops, type Stage } from '../schedule/stages';
import { resolveTrainConfig, type ResolvedTrainConfig, type TrainOptions } from './config';
import { MetricsLog } from './metrics-log';
import type { TrainProblem } from './problem';

export interface Run<B> {
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
  /** Stage names, loops and switch kinds: a checkpoint resumes only under the same schedule. */
  fingerprint: string;
}

/** Validates the options (ConfigError before any step) and builds the run's fixed parts. */
export function setUp<B>(options: TrainOptions<B>): Run<B> {
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

function scheduleFingerprint(schedule: Stage[]): string {
  return schedule.map((s) => `${s.name}:${describeLoops(s.loops)}:${s.until.kind}`).join('|');
}

export const stageAt = <B>(run: Run<B>, i: number): Stage => run.schedule[i] as Stage;

/** A fresh SCP criterion for stage `i` when that stage ends by the criterion. */
export function criterionFor<B>(run: Run<B>, i: number): ShiftCriterion | null {
  const u = stageAt(run, i).until;
  return u.kind === 'criterion' ? shiftCriterion(u.criterion) : null;
}

/** How stage `stage` ends, in words (the start record's schedule). */
export function describeUntil(stage: Stage): string {
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
