/** Robust summaries of repeated timings: median, quartiles (linear interpolation), min, max. */
export interface TimingSummary {
  n: number;
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}

function quantile(sorted: readonly number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarize(values: readonly number[]): TimingSummary {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return { n: 0, median: NaN, q1: NaN, q3: NaN, min: NaN, max: NaN };
  return {
    n: xs.length,
    median: quantile(xs, 0.5),
    q1: quantile(xs, 0.25),
    q3: quantile(xs, 0.75),
    min: xs[0]!,
    max: xs[xs.length - 1]!,
  };
}

/** Milliseconds taken by `fn` (wall clock). */
export function timeMs(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Peak resident set size of this process so far, in MiB (getrusage ru_maxrss). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Wall and CPU (process user + system, all threads) milliseconds taken by `fn`. */
export function timeWallCpu(fn: () => void): { ms: number; cpuMs: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  fn();
  const dc = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (dc.user + dc.system) / 1000 };
}
