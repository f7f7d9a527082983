/** Mean, sample standard deviation (n - 1; 0 for one value), min and max of finite values. */
export interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN, n: 0 };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs), n };
}

/** "72.3 ± 1.4" in percent (accuracy in [0, 1]); "–" when there is nothing to show. */
export function pct(s: Spread | number | null | undefined, digits = 1): string {
  if (s === null || s === undefined) return '–';
  if (typeof s === 'number') return Number.isFinite(s) ? `${(100 * s).toFixed(digits)}%` : '–';
  if (s.n === 0 || !Number.isFinite(s.mean)) return '–';
  return s.n > 1
    ? `${(100 * s.mean).toFixed(digits)} ± ${(100 * s.std).toFixed(digits)}%`
    : `${(100 * s.mean).toFixed(digits)}%`;
}

/** "1.234 ± 0.056" for plain numbers. */
export function num(s: Spread | number, digits = 3): string {
  if (typeof s === 'number') return Number.isFinite(s) ? s.toFixed(digits) : '–';
  if (s.n === 0 || !Number.isFinite(s.mean)) return '–';
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits);
}

/** Element-wise mean over equally long series (e.g. a metric per epoch over seeds). */
export function meanSeries(series: readonly (readonly number[])[]): { mean: number[]; std: number[] } {
  const len = Math.min(...series.map((s) => s.length));
  const mean: number[] = [];
  const std: number[] = [];
  for (let i = 0; i < len; i++) {
    const s = spread(series.map((x) => x[i]!));
    mean.push(s.mean);
    std.push(s.std);
  }
  return { mean, std };
}
