// Means over seeds of the algorithmic study's units: accuracy per test length and beyond the
// training lengths, and how long each method trained to reach Looped-Attn's final accuracy.

import { spread } from '../../stats';
import type { Method, TaskSettings } from './config';
import type { UnitResult } from './unit-result';

/** Tolerance of "reaching Looped-Attn's final validation accuracy" (1 point, as in the issue). */
export const TARGET_TOLERANCE = 0.01;

export interface TaskRuns {
  settings: TaskSettings;
  /** Results per method, one per seed (seed order). */
  byMethod: Partial<Record<Method, UnitResult[]>>;
}

/** The task's methods with their runs, in the order they were added. */
export const methodRuns = (t: TaskRuns): [Method, UnitResult[]][] =>
  Object.entries(t.byMethod) as [Method, UnitResult[]][];

export const mean = (xs: readonly number[]): number => spread(xs).mean;

/** Mean over seeds of the accuracy at each length (oracle or adaptive). */
export function lengthMeans(runs: readonly UnitResult[], mode: 'oracle' | 'adaptive'): (number | null)[] {
  const L = runs[0]?.lengths.length ?? 0;
  const out: (number | null)[] = [];
  for (let i = 0; i < L; i++) {
    const xs = runs.map((r) => r.lengths[i]?.[mode]).filter((v): v is number => typeof v === 'number');
    out.push(xs.length === runs.length && xs.length > 0 ? mean(xs) : null);
  }
  return out;
}

/** The stopping rule the paper uses at inference: adaptive when the model loops, else its one pass. */
export function bestStopping(runs: readonly UnitResult[]): (number | null)[] {
  const a = lengthMeans(runs, 'adaptive');
  return a.some((v) => v !== null) ? a : lengthMeans(runs, 'oracle');
}

/** Mean accuracy over the lengths beyond the training range. */
export function oodMean(
  runs: readonly UnitResult[],
  maxTrainLength: number,
  mode: 'oracle' | 'adaptive' | 'best',
): number | null {
  const accs = mode === 'best' ? bestStopping(runs) : lengthMeans(runs, mode);
  const xs = accs.slice(maxTrainLength).filter((v): v is number => v !== null);
  return xs.length > 0 ? mean(xs) : null;
}

/** First evaluation's training time at which valAcc >= target - tolerance (null if never). */
export function timeToTarget(run: UnitResult, target: number): number | null {
  const e = run.evals.find((p) => p.valAcc >= target - TARGET_TOLERANCE);
  return e ? e.trainTimeS : null;
}

export interface Efficiency {
  loopedTimeS: number;
  shiftTimeS: number;
  /** Looped-Attn total training time / SHIFT's. */
  totalSpeedup: number;
  /** Looped-Attn's final validation accuracy (the target). */
  target: number;
  loopedToTargetS: number | null;
  shiftToTargetS: number | null;
  /** Looped-Attn's time to its final val acc (within 1 point) / SHIFT's time to the same. */
  targetSpeedup: number | null;
  switchStep: number | null;
  /** Per seed: measured training time to Looped-Attn's final validation accuracy (null: never reached). */
  perSeed: { loopedToTargetS: number | null; shiftToTargetS: number | null }[];
}

/** SHIFT against Looped-Attn: total training time, and time to Looped-Attn's final accuracy (seed i vs seed i). */
export function efficiency(looped: readonly UnitResult[], shift: readonly UnitResult[]): Efficiency {
  const per = looped.map((l, i) => {
    const s = shift[i]!;
    const target = l.evals[l.evals.length - 1]?.valAcc ?? NaN;
    const lt = timeToTarget(l, target);
    const st = timeToTarget(s, target);
    return { target, lt, st, speed: lt !== null && st !== null && st > 0 ? lt / st : null };
  });
  const loopedTimeS = mean(looped.map((r) => r.trainTimeS));
  const shiftTimeS = mean(shift.map((r) => r.trainTimeS));
  const all = <T>(xs: (T | null)[]): xs is T[] => xs.every((x) => x !== null);
  const lts = per.map((p) => p.lt);
  const sts = per.map((p) => p.st);
  const speeds = per.map((p) => p.speed);
  const switches = shift.map((r) => r.shiftStep);
  return {
    loopedTimeS,
    shiftTimeS,
    totalSpeedup: loopedTimeS / shiftTimeS,
    target: mean(per.map((p) => p.target)),
    loopedToTargetS: all(lts) ? mean(lts) : null,
    shiftToTargetS: all(sts) ? mean(sts) : null,
    targetSpeedup: all(speeds) ? mean(speeds) : null,
    switchStep: all(switches) ? mean(switches) : null,
    perSeed: per.map((p) => ({ loopedToTargetS: p.lt, shiftToTargetS: p.st })),
  };
}
