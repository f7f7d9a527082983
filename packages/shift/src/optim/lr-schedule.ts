// Learning-rate schedules as plain data (so configs serialise) and one function that evaluates them.
// The algorithmic reference keeps lr constant until the length curriculum is fully ramped, then
// decays it to 0 with a cosine: { type: 'cosine', decayFrom: <curriculum end step> }.

import { checkInt, checkNumber, fail } from '../util/validate';

export type LrSchedule =
  | { type: 'constant' }
  /** Linear warmup from lr/warmupSteps to lr over the first `warmupSteps` steps, then constant. */
  | { type: 'warmup'; warmupSteps: number }
  /**
   * Optional linear warmup, constant until step `decayFrom` (default: right after warmup), then
   * cosine decay to `minLr` (default 0) at `totalSteps` (default: the run's total steps).
   */
  | { type: 'cosine'; warmupSteps?: number; decayFrom?: number; totalSteps?: number; minLr?: number };

export function validateLrSchedule(schedule: LrSchedule, field = 'optimizer.lrSchedule'): LrSchedule {
  if (schedule === null || typeof schedule !== 'object')
    fail(field, schedule, "{ type: 'constant' | 'warmup' | 'cosine', ... }");
  switch (schedule.type) {
    case 'constant':
      return schedule;
    case 'warmup':
      checkInt(`${field}.warmupSteps`, schedule.warmupSteps, 1);
      return schedule;
    case 'cosine':
      if (schedule.warmupSteps !== undefined) checkInt(`${field}.warmupSteps`, schedule.warmupSteps, 0);
      if (schedule.decayFrom !== undefined) checkInt(`${field}.decayFrom`, schedule.decayFrom, 0);
      if (schedule.totalSteps !== undefined) checkInt(`${field}.totalSteps`, schedule.totalSteps, 1);
      if (schedule.minLr !== undefined) checkNumber(`${field}.minLr`, schedule.minLr, { min: 0 });
      return schedule;
    default:
      return fail(`${field}.type`, (schedule as { type: unknown }).type, "'constant', 'warmup' or 'cosine'");
  }
}

/** Learning rate for the 0-based optimisation step `step` of a run of `totalSteps` steps. */
export function learningRateAt(
  schedule: LrSchedule,
  baseLr: number,
  step: number,
  totalSteps: number,
): number {
  switch (schedule.type) {
    case 'constant':
      return baseLr;
    case 'warmup':
      return baseLr * Math.min(1, (step + 1) / schedule.warmupSteps);
    case 'cosine': {
      const warm = schedule.warmupSteps ?? 0;
      if (step < warm) return (baseLr * (step + 1)) / warm;
      const from = Math.max(schedule.decayFrom ?? warm, warm);
      const total = schedule.totalSteps ?? totalSteps;
      const minLr = schedule.minLr ?? 0;
      if (step < from) return baseLr;
      if (total <= from) return minLr;
      const progress = Math.min(1, (step - from) / (total - from));
      return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}
