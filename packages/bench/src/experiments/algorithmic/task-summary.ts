// One task's numbers as the tables and verdicts read them: means over seeds per method, and the
// per-seed values the verdicts are decided on.

import type { Method } from './config';
import {
  bestStopping,
  efficiency,
  mean,
  methodRuns,
  oodMean,
  type Efficiency,
  type TaskRuns,
} from './seed-means';
import type { UnitResult } from './unit-result';

export interface TaskSummary {
  task: string;
  maxTrainLength: number;
  testLength: number;
  /** Accuracy at the longest test length (best stopping per method). */
  atLongest: Partial<Record<Method, number | null>>;
  /** Mean accuracy over the lengths beyond training (best stopping per method). */
  ood: Partial<Record<Method, number | null>>;
  /** The same with oracle stopping (T(n) loops; one pass for Single-Attn). */
  oodOracle: Partial<Record<Method, number | null>>;
  finalTrainAcc: Partial<Record<Method, number>>;
  finalValAcc: Partial<Record<Method, number>>;
  trainTimeS: Partial<Record<Method, number>>;
  efficiency: Efficiency | null;
  /** Per-seed values (seed order) that the verdicts are decided on. */
  seeds: Partial<Record<Method, SeedValues>>;
}

/** One method's per-seed numbers (seed order). */
export interface SeedValues {
  seed: number[];
  /** Mean exact match over the lengths beyond training: oracle T(n) (one pass for Single-Attn), adaptive (NaN: none). */
  beyondOracle: number[];
  beyondAdaptive: number[];
  /** Exact match at the longest test length (2x the training length in the study's profiles). */
  atLongestOracle: number[];
  atLongestAdaptive: number[];
  finalTrainAcc: number[];
}

/** Per seed: accuracy beyond training and at the longest length (oracle, adaptive), final training accuracy. */
function seedValues(runs: readonly UnitResult[], maxTrainLength: number): SeedValues {
  const avg = (xs: (number | null)[]) =>
    xs.length > 0 && xs.every((x) => typeof x === 'number') ? mean(xs as number[]) : NaN;
  const last = (r: UnitResult) => r.lengths[r.lengths.length - 1];
  return {
    seed: runs.map((r) => r.seed),
    beyondOracle: runs.map((r) => avg(r.lengths.slice(maxTrainLength).map((l) => l.oracle))),
    beyondAdaptive: runs.map((r) => avg(r.lengths.slice(maxTrainLength).map((l) => l.adaptive))),
    atLongestOracle: runs.map((r) => last(r)?.oracle ?? NaN),
    atLongestAdaptive: runs.map((r) => last(r)?.adaptive ?? NaN),
    finalTrainAcc: runs.map((r) => r.evals[r.evals.length - 1]?.trainAcc ?? NaN),
  };
}

/** Means over seeds of every method of a task, its SHIFT efficiency and its per-seed values. */
export function summarizeTask(t: TaskRuns): TaskSummary {
  const s = t.settings;
  const out: TaskSummary = {
    task: s.task,
    maxTrainLength: s.maxTrainLength,
    testLength: s.testLength,
    atLongest: {},
    ood: {},
    oodOracle: {},
    finalTrainAcc: {},
    finalValAcc: {},
    trainTimeS: {},
    efficiency: null,
    seeds: {},
  };
  for (const [method, runs] of methodRuns(t)) {
    out.atLongest[method] = bestStopping(runs)[s.testLength - 1] ?? null;
    out.ood[method] = oodMean(runs, s.maxTrainLength, 'best');
    out.oodOracle[method] = oodMean(runs, s.maxTrainLength, 'oracle');
    out.finalTrainAcc[method] = mean(runs.map((r) => r.evals[r.evals.length - 1]?.trainAcc ?? NaN));
    out.finalValAcc[method] = mean(runs.map((r) => r.evals[r.evals.length - 1]?.valAcc ?? NaN));
    out.trainTimeS[method] = mean(runs.map((r) => r.trainTimeS));
    out.seeds[method] = seedValues(runs, s.maxTrainLength);
  }
  if (t.byMethod.looped && t.byMethod.shift) out.efficiency = efficiency(t.byMethod.looped, t.byMethod.shift);
  return out;
}
