/**
 * Statistics that decide the paper's claims over seeds, and the verdict rules themselves. Every
 * rule here is fixed before a run and applied by code; docs/reproducing.md states them in words.
 */
import { spread } from './stats';

/** Two-sided 95% Student t quantiles t_{0.975, df} for df = 1..30 (standard tables). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t_{0.975, df}: the table up to 30, then the Cornish-Fisher expansion around z = 1.96 (error < 1e-3). */
export function tQuantile975(df: number): number {
  if (!Number.isFinite(df) || df < 1) return NaN;
  const k = Math.floor(df);
  if (k <= 30) return T975[k - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * k) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * k * k);
}

/** Mean of finite values with a 95% t interval (NaN bounds for fewer than 2 values). */
export interface Interval {
  mean: number;
  lower: number;
  upper: number;
  n: number;
}

export function meanCI(values: readonly number[]): Interval {
  const { mean, std, n } = spread(values);
  if (n < 2) return { mean, lower: NaN, upper: NaN, n };
  const h = (tQuantile975(n - 1) * std) / Math.sqrt(n);
  return { mean, lower: mean - h, upper: mean + h, n };
}

/**
 * A chart band of an interval: its mean and bounds (the mean itself where there is no interval),
 * clipped to `range` (e.g. [0, 1] for accuracies).
 */
export function bandOf(
  ci: Interval,
  range: [number, number] = [-Infinity, Infinity],
): { value: number; lower: number; upper: number } {
  const lower = Number.isFinite(ci.lower) ? ci.lower : ci.mean;
  const upper = Number.isFinite(ci.upper) ? ci.upper : ci.mean;
  return { value: ci.mean, lower: Math.max(range[0], lower), upper: Math.min(range[1], upper) };
}

/** Paired differences a[i] - b[i] (pairs with a non-finite member are dropped) and their interval. */
export function pairedCI(a: readonly number[], b: readonly number[]): Interval {
  return meanCI(a.map((x, i) => x - (b[i] ?? NaN)));
}

/** Wilson 95% score interval of a proportion k / n. */
export function wilson(
  k: number,
  n: number,
): { p: number; lower: number; upper: number; k: number; n: number } {
  if (n <= 0) return { p: NaN, lower: NaN, upper: NaN, k, n };
  const z = 1.959964;
  const p = k / n;
  const den = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / den;
  return { p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half), k, n };
}

/**
 * Sign of a paired comparison, decided by its 95% interval: 'ahead' (interval above `margin`),
 * 'behind' (below -margin), 'unresolved' (overlaps) or 'insufficient' (fewer than 3 pairs: never a verdict).
 */
export type Comparison = 'ahead' | 'behind' | 'unresolved' | 'insufficient';

export function compare(ci: Interval, margin = 0): Comparison {
  if (ci.n < 3 || !Number.isFinite(ci.lower)) return 'insufficient';
  if (ci.lower > margin) return 'ahead';
  if (ci.upper < -margin) return 'behind';
  return 'unresolved';
}

export type Held = boolean | 'partly' | 'n/a';

/**
 * The rule for "A beats B" claims measured on several languages: held when the pooled interval of
 * the paired difference (all replicates) is above zero and no language shows B ahead; 'partly' when
 * it is resolved in A's favour on some language or pooled but not both conditions; false when the
 * pooled interval is below zero or nothing is resolved in A's favour; 'n/a' with fewer than 3 pairs.
 */
export function pairedVerdict(pooled: Interval, perLanguage: readonly Interval[]): Held {
  const p = compare(pooled);
  if (p === 'insufficient') return 'n/a';
  const langs = perLanguage.map((c) => compare(c));
  const anyBehind = langs.includes('behind');
  const anyAhead = langs.includes('ahead');
  if (p === 'ahead' && !anyBehind) return true;
  if (p === 'behind') return false;
  if (p === 'ahead' || anyAhead) return 'partly';
  return false;
}

/**
 * The rule for "X exceeds `margin`" claims decided over seeds (a paired difference, or a quantity
 * against a threshold): held when the whole 95% interval lies above the margin, false when it lies
 * below it (X is confidently short of the margin), 'partly' when it contains the margin (undecided),
 * 'n/a' with fewer than 3 values (one seed is never a verdict).
 */
export function marginVerdict(ci: Interval, margin: number): Held {
  if (ci.n < 3 || !Number.isFinite(ci.lower)) return 'n/a';
  if (ci.lower > margin) return true;
  if (ci.upper < margin) return false;
  return 'partly';
}

/** The rule for "most replicates show X": held when the Wilson lower bound of the share exceeds 1/2. */
export function majorityVerdict(k: number, n: number): Held {
  if (n < 3) return 'n/a';
  const w = wilson(k, n);
  if (w.lower > 0.5) return true;
  if (w.upper < 0.5) return false;
  return 'partly';
}

/**
 * "72.3% [70.1, 74.5]" for accuracies (bounds shown within [0, 100]%), "+2.1 pt [0.4, 3.8]" for
 * differences of accuracies (within ±100 pt), plain numbers otherwise (`min` clips a displayed lower bound, e.g. 0
 * for epochs). Only the display is clipped; results.json keeps the t interval.
 */
export function fmtCI(ci: Interval, kind: 'pct' | 'pt' | 'num' = 'pct', digits = 1, min?: number): string {
  if (ci.n === 0 || !Number.isFinite(ci.mean)) return '–';
  const f = (x: number) =>
    kind === 'num' ? x.toFixed(digits) : `${kind === 'pt' && x > 0 ? '+' : ''}${(100 * x).toFixed(digits)}`;
  const unit = kind === 'pct' ? '%' : kind === 'pt' ? ' pt' : '';
  if (ci.n < 2 || !Number.isFinite(ci.lower)) return `${f(ci.mean)}${unit}`;
  // Accuracies live in [0, 1] and their differences in [-1, 1].
  const floor = kind === 'pct' ? 0 : kind === 'pt' ? -1 : (min ?? -Infinity);
  const ceil = kind === 'num' ? Infinity : 1;
  const lo = Math.max(floor, ci.lower);
  const hi = Math.min(ceil, ci.upper);
  return `${f(ci.mean)}${unit} [${f(lo)}, ${f(hi)}]`;
}
