// The sweep's units (task x method x seed) and what each costs, for splitting them across shards.

import { TASK_NAMES, type TaskName } from '@loop/tasks';
import type { AlgorithmicConfig, Method } from './config';
import { unitKey } from './unit-result';

export interface PlannedUnit {
  task: TaskName;
  method: Method;
  seed: number;
  key: string;
}

/**
 * Relative training cost of a unit by method, for splitting a sweep across shards: a looped step
 * costs about T(n) single steps (5-9x at the cpu profile's shapes, measured by its cost probe);
 * SHIFT trains single until it switches, counted as half way.
 */
export const METHOD_COST: Record<Method, number> = { single: 1, shift: 3, looped: 5, 'looped-wo': 5 };

/** The sweep's units in their fixed order (task, then method, then seed); shards slice this list. */
export function algorithmicUnits(
  config: Pick<AlgorithmicConfig, 'tasks' | 'methods'>,
  seeds: readonly number[],
): PlannedUnit[] {
  const tasks = TASK_NAMES.filter((t) => config.tasks.includes(t));
  const units: PlannedUnit[] = [];
  for (const task of tasks) {
    for (const method of config.methods)
      for (const seed of seeds) units.push({ task, method, seed, key: unitKey(task, method, seed) });
  }
  return units;
}
