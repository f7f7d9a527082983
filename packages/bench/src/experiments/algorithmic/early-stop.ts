// When a unit of the algorithmic study may stop before its last step (config `earlyStop`).

import type { EvalRecord } from '@loop/shift';

/**
 * The early-stopping rule of the study: validation accuracy 100% at each of the last `patience`
 * evaluations of the current stage, and the oracle accuracy at the longest test length (metric
 * `probe.oracleAcc`) within `delta` over them.
 */
export function earlyStopRule(
  es: { patience: number; delta: number },
  testLength: number,
): (evals: readonly EvalRecord[]) => string | null {
  return (evals) => {
    const stage = evals[evals.length - 1]?.stage;
    const last = evals.filter((e) => e.stage === stage).slice(-es.patience);
    if (last.length < es.patience) return null;
    if (!last.every((e) => e.metrics['valAcc'] === 1)) return null;
    const probe = last.map((e) => e.metrics['probe.oracleAcc'] ?? NaN);
    if (!probe.every(Number.isFinite)) return null;
    const moved = Math.max(...probe) - Math.min(...probe);
    return moved <= es.delta
      ? `validation accuracy 100% and accuracy at n=${testLength} within ${(100 * moved).toFixed(1)} points over the last ${es.patience} evaluations`
      : null;
  };
}
