// Scoring a saved unit of the algorithmic study at chosen lengths and loop counts (what
// `loop-bench eval` prints); loading the unit is in ./unit-weights, --show's examples in ./examples.

import { getTask } from '@loop/tasks';
import type { StoppingRule } from '@loop/models';
import { algorithmicTestBatch, lengthScores } from '@loop/shift';
import { oracleLoopsOf, type LoadedUnit } from './unit-weights';

// The rest of what `loop-bench eval` (./eval-command) uses.
export { loadUnit, savedUnits, type LoadedUnit } from './unit-weights';
export { showExamples } from './examples';

export interface EvalOptions {
  lengths: readonly number[];
  /** Samples per length and the seed of their stream (the unit's own seed reproduces its test sets). */
  size: number;
  dataSeed: number;
  rules: readonly StoppingRule[];
  patience?: number;
  /** Fixed loop counts scored besides oracle and the rules. */
  loops: readonly number[];
}

export interface EvalRow {
  n: number;
  /** Loops of the oracle column: T(n) for a looped model, 1 for Single-Attn. */
  oracleLoops: number;
  oracle: number;
  rules: Partial<Record<StoppingRule, { acc: number; loops: number }>>;
  fixed: Record<string, number>;
}

/** Scores a loaded unit at every requested length (oracle, each stopping rule, each fixed loop count). */
export function evaluateUnit(u: LoadedUnit, options: EvalOptions): EvalRow[] {
  const task = getTask(u.task);
  const looped = u.loops !== '1';
  const trainedLoops = looped ? task.steps(u.maxTrainLength) : 1;
  return options.lengths.map((n) => {
    const batch = algorithmicTestBatch(task, options.dataSeed, n, options.size);
    const steps = Int32Array.from(batch.steps, () => oracleLoopsOf(u, task, n));
    const scores = lengthScores(
      u.model,
      { ...batch, steps },
      {
        maxLoops: looped ? task.maxTestSteps(n) : 1,
        rules: looped ? options.rules : [],
        trainedLoops,
        ...(options.patience !== undefined ? { patience: options.patience } : {}),
      },
    );
    const fixed: Record<string, number> = {};
    for (const k of options.loops) {
      fixed[String(k)] = lengthScores(
        u.model,
        { ...batch, steps: new Int32Array(batch.shape[0]).fill(k) },
        { maxLoops: k, rules: [] },
      ).oracle;
    }
    return { n, oracleLoops: steps[0] ?? 1, oracle: scores.oracle, rules: scores.rules, fixed };
  });
}
