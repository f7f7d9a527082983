// Length generalization: the fixed test set of a length, and its oracle and stopping-rule exact
// match, scored in chunks so large test sets fit in memory.

import { createRng, sliceBatch, type AlgorithmicTask, type Batch } from '@loop/tasks';
import { evaluateStopping, type LoopedGPT, type StoppingRule } from '@loop/models';

/**
 * The fixed test set of one length: `size` samples of length n drawn from the seed's `test/<n>`
 * stream (what `algorithmicProblem` tests on, so a saved model can be re-scored on the same data).
 */
export function algorithmicTestBatch(task: AlgorithmicTask, seed: number, n: number, size: number): Batch {
  return task.batch({ size, length: n, rng: createRng(seed).fork(`test/${n}`) });
}

export interface LengthScores {
  /** Exact match after each sample's own `steps` (oracle T(n), or 1 loop for Single-Attn). */
  oracle: number;
  /** Per stopping rule: exact match and the mean loop count it chose. */
  rules: Partial<Record<StoppingRule, { acc: number; loops: number }>>;
}

/** Oracle and stopping-rule exact match of one batch, scored in chunks of `evalBatchSize` rows. */
export function lengthScores(
  model: LoopedGPT,
  batch: Batch,
  options: {
    maxLoops: number;
    rules: readonly StoppingRule[];
    trainedLoops?: number;
    patience?: number;
    evalBatchSize?: number;
  },
): LengthScores {
  const chunk = options.evalBatchSize ?? 256;
  const size = batch.shape[0];
  let oracle = 0;
  const sums = new Map<StoppingRule, { acc: number; loops: number }>(
    options.rules.map((r) => [r, { acc: 0, loops: 0 }]),
  );
  for (let s = 0; s < size; s += chunk) {
    const part = sliceBatch(batch, s, Math.min(size, s + chunk));
    const r = evaluateStopping(model, part, options);
    oracle += r.oracle.reduce((a, b) => a + b, 0);
    for (const [rule, sum] of sums) {
      const x = r.rules[rule]!;
      sum.acc += x.correct.reduce((a, b) => a + b, 0);
      sum.loops += x.loops.reduce((a, b) => a + b, 0);
    }
  }
  const rules: LengthScores['rules'] = {};
  for (const [rule, sum] of sums) rules[rule] = { acc: sum.acc / size, loops: sum.loops / size };
  return { oracle: oracle / size, rules };
}
