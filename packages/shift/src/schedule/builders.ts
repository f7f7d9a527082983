// The named schedules: Single-Attn, Looped-Attn, SHIFT (criterion or fixed switch step) and
// progressive SHIFT. Each validates its options, so a bad one fails before any training.

import { validateCriterionOptions, type ShiftCriterionOptions } from '../criterion/scp';
import { checkInt, ConfigError, fail } from '../util/validate';
import type { LoopSpec, Schedule, SwitchCondition } from './stages';

/** Single-Attn: one loop for every sample, for the whole run. */
export function singleSchedule(): Schedule {
  return [{ name: 'single', loops: { kind: 'fixed', loops: 1 }, until: { kind: 'never' } }];
}

/**
 * Looped-Attn for the whole run. `stepsOf` omitted: T(n) loops per sample (algorithmic tasks);
 * a number: that many loops for every sample (the toy Looped-Attn uses 3); a function: loops = f(n, T(n)).
 */
export function loopedSchedule(stepsOf?: number | ((length: number, taskSteps: number) => number)): Schedule {
  return [{ name: 'looped', loops: looped(stepsOf, 'loopedSchedule(stepsOf)'), until: { kind: 'never' } }];
}

function looped(
  stepsOf: number | ((length: number, taskSteps: number) => number) | undefined,
  field: string,
): LoopSpec {
  if (stepsOf === undefined) return { kind: 'task' };
  if (typeof stepsOf === 'number') return { kind: 'fixed', loops: checkInt(field, stepsOf, 1) };
  if (typeof stepsOf === 'function') return { kind: 'custom', of: stepsOf };
  return fail(
    field,
    stepsOf,
    'undefined (T(n) per sample), a loop count >= 1, or a function (n, T(n)) => loops',
  );
}

export interface ShiftScheduleOptions {
  /** SCP options; the switch happens when the criterion fires. Give this or `shiftStep`. */
  criterion?: ShiftCriterionOptions;
  /** Fixed switch step (global step count) instead of the criterion, for sweeps over the shift point. */
  shiftStep?: number;
  /** Loops in Stage II: T(n) per sample (default), a fixed count, or a function of (n, T(n)). */
  loops?: number | ((length: number, taskSteps: number) => number);
  /** Zero the optimiser moments at the switch (default false: Adam state carries over). */
  resetOptimizer?: boolean;
}

/** SHIFT: Stage I Single-Attn until the criterion fires (or `shiftStep`), Stage II Looped-Attn on the same weights. */
export function shiftSchedule(options: ShiftScheduleOptions): Schedule {
  if (options === null || typeof options !== 'object')
    fail('shiftSchedule(options)', options, 'an object { criterion } or { shiftStep }');
  const { criterion, shiftStep } = options;
  if ((criterion === undefined) === (shiftStep === undefined)) {
    throw new ConfigError(
      'shiftSchedule: give exactly one of `criterion` (SCP options) or `shiftStep` (fixed switch step)',
    );
  }
  const until: SwitchCondition =
    criterion !== undefined
      ? { kind: 'criterion', criterion: validateCriterionOptions(criterion, 'shiftSchedule.criterion') }
      : { kind: 'atStep', step: checkInt('shiftSchedule.shiftStep', shiftStep, 1) };
  return [
    { name: 'single', loops: { kind: 'fixed', loops: 1 }, until },
    {
      name: 'looped',
      loops: looped(options.loops, 'shiftSchedule.loops'),
      until: { kind: 'never' },
      ...(options.resetOptimizer ? { resetOptimizer: true } : {}),
    },
  ];
}

/** SHIFT with a fixed switch step (sweeps over the shift point). */
export function fixedShiftSchedule(
  shiftStep: number,
  options: Omit<ShiftScheduleOptions, 'criterion' | 'shiftStep'> = {},
): Schedule {
  return shiftSchedule({ ...options, shiftStep });
}

export interface ProgressiveScheduleOptions {
  /** Largest loop count before the final stage. For the toy model this is its loop count (3). */
  maxLoops: number;
  /** Final stage loops: 'task' (T(n) per sample, default) or the fixed `maxLoops`. */
  final?: 'task' | 'fixed';
  /** Switch each stage when SCP fires ... */
  criterion?: ShiftCriterionOptions;
  /** ... or after this many steps per stage. */
  stepsPerStage?: number;
  resetOptimizer?: boolean;
}

/**
 * Progressive SHIFT (Section 5, "loop iterations from 1 to T"): stages with 1, 2, ..., maxLoops loops
 * (for tasks: min(T(n), k)), then the full loop count. Each stage ends by SCP or after `stepsPerStage`.
 */
export function progressiveSchedule(options: ProgressiveScheduleOptions): Schedule {
  if (options === null || typeof options !== 'object')
    fail('progressiveSchedule(options)', options, 'an object');
  const maxLoops = checkInt('progressiveSchedule.maxLoops', options.maxLoops, 2);
  const final = options.final ?? 'task';
  if (final !== 'task' && final !== 'fixed') fail('progressiveSchedule.final', final, "'task' or 'fixed'");
  if ((options.criterion === undefined) === (options.stepsPerStage === undefined)) {
    throw new ConfigError('progressiveSchedule: give exactly one of `criterion` or `stepsPerStage`');
  }
  const until: SwitchCondition =
    options.criterion !== undefined
      ? {
          kind: 'criterion',
          criterion: validateCriterionOptions(options.criterion, 'progressiveSchedule.criterion'),
        }
      : {
          kind: 'afterSteps',
          steps: checkInt('progressiveSchedule.stepsPerStage', options.stepsPerStage, 1),
        };
  const stages: Schedule = [];
  const last = final === 'task' ? maxLoops : maxLoops - 1;
  for (let k = 1; k <= last; k++) {
    const loops: LoopSpec = final === 'task' ? { kind: 'task', cap: k } : { kind: 'fixed', loops: k };
    stages.push({
      name: `loops-${k}`,
      loops,
      until,
      ...(k > 1 && options.resetOptimizer ? { resetOptimizer: true } : {}),
    });
  }
  stages.push({
    name: final === 'task' ? 'looped' : `loops-${maxLoops}`,
    loops: final === 'task' ? { kind: 'task' } : { kind: 'fixed', loops: maxLoops },
    until: { kind: 'never' },
    ...(options.resetOptimizer ? { resetOptimizer: true } : {}),
  });
  return stages;
}
