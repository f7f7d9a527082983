// A schedule is a list of stages. Each stage says how many loops each sample gets and when to move
// on to the next stage. Plain training is a one-stage schedule; SHIFT is Single-Attn (1 loop) until
// the SCP criterion fires, then Looped-Attn on the same weights.

import { validateCriterionOptions, type ShiftCriterionOptions } from '../criterion/scp';
import { checkInt, ConfigError, fail } from '../util/validate';

/**
 * Loops per sample in a stage:
 * - `{ kind: 'fixed', loops }`: every sample gets `loops` loops (toy models; Single-Attn is loops = 1);
 * - `{ kind: 'task', cap? }`: each sample gets its task's T(n) loops, optionally capped at `cap`
 *   (the progressive schedule grows the cap);
 * - `{ kind: 'custom', of }`: loops = of(n, T(n)) per sample (not serialisable; checkpoints store the stage index).
 */
export type LoopSpec =
  | { kind: 'fixed'; loops: number }
  | { kind: 'task'; cap?: number }
  | { kind: 'custom'; of: (length: number, taskSteps: number) => number; label?: string };

/**
 * When a stage ends. `criterion`: SCP on (validation loss, gradient norm) at each evaluation;
 * `atStep`: when the global step count reaches `step`; `afterSteps`: after `steps` steps in this stage;
 * `never`: the last stage runs until training ends.
 */
export type SwitchCondition =
  | { kind: 'criterion'; criterion: ShiftCriterionOptions }
  | { kind: 'atStep'; step: number }
  | { kind: 'afterSteps'; steps: number }
  | { kind: 'never' };

export interface Stage {
  name: string;
  loops: LoopSpec;
  until: SwitchCondition;
  /** Zero the optimiser moments when entering this stage (default false: state carries over). */
  resetOptimizer?: boolean;
}

export type Schedule = Stage[];

/** Loops sample `b` gets in a stage, given its length n and the task's T(n). */
export function loopsFor(spec: LoopSpec, length: number, taskSteps: number): number {
  switch (spec.kind) {
    case 'fixed':
      return spec.loops;
    case 'task':
      return spec.cap === undefined ? taskSteps : Math.min(taskSteps, spec.cap);
    case 'custom':
      return spec.of(length, taskSteps);
  }
}

export function describeLoops(spec: LoopSpec): string {
  switch (spec.kind) {
    case 'fixed':
      return `${spec.loops}`;
    case 'task':
      return spec.cap === undefined ? 'T(n)' : `min(T(n), ${spec.cap})`;
    case 'custom':
      return spec.label ?? 'custom';
  }
}

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

/** JSON-friendly schedule description (CLI / config files). */
export type ScheduleSpec =
  | { type: 'single' }
  | { type: 'looped'; loops?: number }
  | ({ type: 'shift' } & ShiftScheduleOptions)
  | ({ type: 'progressive' } & ProgressiveScheduleOptions);

export const SCHEDULE_TYPES = ['single', 'looped', 'shift', 'progressive'] as const;

/** Build a schedule from a name or spec; unknown names throw before any training. */
export function resolveSchedule(spec: Schedule | ScheduleSpec | string): Schedule {
  if (Array.isArray(spec)) return validateSchedule(spec);
  const type =
    typeof spec === 'string'
      ? spec
      : spec !== null && typeof spec === 'object'
        ? (spec as { type?: unknown }).type
        : undefined;
  switch (type) {
    case 'single':
      return singleSchedule();
    case 'looped':
      return loopedSchedule(typeof spec === 'object' ? (spec as { loops?: number }).loops : undefined);
    case 'shift':
      if (typeof spec !== 'object')
        throw new ConfigError(
          "schedule 'shift' needs options: { type: 'shift', criterion } or { type: 'shift', shiftStep }",
        );
      return shiftSchedule(spec as ShiftScheduleOptions);
    case 'progressive':
      if (typeof spec !== 'object')
        throw new ConfigError(
          "schedule 'progressive' needs options: { type: 'progressive', maxLoops, criterion | stepsPerStage }",
        );
      return progressiveSchedule(spec as ProgressiveScheduleOptions);
    default:
      return fail(
        'schedule',
        typeof spec === 'string' ? spec : (type ?? spec),
        `one of ${SCHEDULE_TYPES.map((t) => `'${t}'`).join(', ')} or an array of stages`,
      );
  }
}

export function validateSchedule(schedule: Schedule): Schedule {
  if (!Array.isArray(schedule) || schedule.length === 0)
    fail('schedule', schedule, 'a non-empty array of stages');
  schedule.forEach((stage, i) => {
    const f = `schedule[${i}]`;
    if (stage === null || typeof stage !== 'object') fail(f, stage, 'a stage { name, loops, until }');
    if (typeof stage.name !== 'string' || stage.name.length === 0)
      fail(`${f}.name`, stage.name, 'a non-empty string');
    const l = stage.loops;
    if (l === null || typeof l !== 'object')
      fail(`${f}.loops`, l, "{ kind: 'fixed' | 'task' | 'custom', ... }");
    if (l.kind === 'fixed') checkInt(`${f}.loops.loops`, l.loops, 1);
    else if (l.kind === 'task') {
      if (l.cap !== undefined) checkInt(`${f}.loops.cap`, l.cap, 1);
    } else if (l.kind === 'custom') {
      if (typeof l.of !== 'function') fail(`${f}.loops.of`, l.of, 'a function (n, T(n)) => loops');
    } else fail(`${f}.loops.kind`, (l as { kind: unknown }).kind, "'fixed', 'task' or 'custom'");
    const u = stage.until;
    const isLast = i === schedule.length - 1;
    if (u === null || typeof u !== 'object')
      fail(`${f}.until`, u, "{ kind: 'criterion' | 'atStep' | 'afterSteps' | 'never' }");
    if (u.kind === 'criterion') validateCriterionOptions(u.criterion, `${f}.until.criterion`);
    else if (u.kind === 'atStep') checkInt(`${f}.until.step`, u.step, 1);
    else if (u.kind === 'afterSteps') checkInt(`${f}.until.steps`, u.steps, 1);
    else if (u.kind !== 'never')
      fail(
        `${f}.until.kind`,
        (u as { kind: unknown }).kind,
        "'criterion', 'atStep', 'afterSteps' or 'never'",
      );
    if (u.kind === 'never' && !isLast)
      fail(`${f}.until.kind`, 'never', 'a switch condition (only the last stage may run until the end)');
  });
  return schedule;
}
