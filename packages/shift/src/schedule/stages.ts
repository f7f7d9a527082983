// A schedule is a list of stages. Each stage says how many loops each sample gets and when to move
// on to the next stage. Plain training is a one-stage schedule; SHIFT is Single-Attn (1 loop) until
// the SCP criterion fires, then Looped-Attn on the same weights. The named schedules are built in
// ./builders; `resolveSchedule` turns a name or JSON spec into one.

import type { ShiftCriterionOptions } from '../criterion/scp';
import { ConfigError, fail } from '../util/validate';
import {
  loopedSchedule,
  progressiveSchedule,
  shiftSchedule,
  singleSchedule,
  type ProgressiveScheduleOptions,
  type ShiftScheduleOptions,
} from './builders';
import { validateSchedule } from './validate-schedule';

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
