/**
 * Eigenvalue spectral density by stochastic Lanczos quadrature (SLQ), as in PyHessian / Ghorbani
 * et al.: per probe, Lanczos from a normalised Rademacher vector gives Gauss nodes (Ritz values) and
 * weights (squared FIRST components of T's eigenvectors); the density is their average, smoothed by
 * Gaussians of variance sigma^2 * max(1, lambdaMax - lambdaMin) and renormalised to integrate to 1.
 */
import { lanczos } from './lanczos';
import { checkInt, type MatVec } from './linalg';

export interface QuadratureRule {
  nodes: Float64Array;
  weights: Float64Array;
}

export interface SpectralDensityOptions {
  /** Lanczos steps per probe (default min(dim, 30)). */
  steps?: number;
  /** Number of random probes (default 10). */
  probes?: number;
  seed?: number;
  /** Gaussian kernel standard deviation before range scaling (default sqrt(1e-5), PyHessian's). */
  sigma?: number;
  /** Grid: explicit points, or { min?, max?, points? } (default: node range +- 0.01 padded by 3 kernel widths, 1000 points). */
  grid?: ArrayLike<number> | { min?: number; max?: number; points?: number };
  reorthogonalize?: boolean;
}

export interface SpectralDensity {
  /** Raw Gauss quadrature rules, one per probe. */
  quadrature: QuadratureRule[];
  grid: Float64Array;
  /** Smoothed density on the grid; sum(density) * spacing = 1. */
  density: Float64Array;
  /** The kernel variance actually used: sigma^2 * max(1, lambdaMax - lambdaMin). */
  variance: number;
  matvecs: number;
}

/** Runs the probes and returns their quadrature rules (the raw SLQ output). */
export function slqQuadrature(
  matvec: MatVec,
  dim: number,
  options: { steps?: number; probes?: number; seed?: number; reorthogonalize?: boolean } = {},
): { quadrature: QuadratureRule[]; matvecs: number } {
  const probes = checkInt('probes', options.probes ?? 10, 1);
  const steps = options.steps ?? Math.min(dim, 30);
  const seed = options.seed ?? 0;
  const quadrature: QuadratureRule[] = [];
  let matvecs = 0;
  for (let p = 0; p < probes; p++) {
    const r = lanczos(matvec, dim, {
      steps,
      seed: seed * 7919 + p + 1,
      reorthogonalize: options.reorthogonalize,
    });
    quadrature.push({ nodes: r.ritzValues, weights: r.ritzWeights });
    matvecs += r.matvecs;
  }
  return { quadrature, matvecs };
}

/** Gaussian-smoothed density of weighted nodes on a grid, normalised to integrate to 1. */
export function smoothDensity(
  quadrature: readonly QuadratureRule[],
  options: { sigma?: number; grid?: SpectralDensityOptions['grid']; variance?: number } = {},
): { grid: Float64Array; density: Float64Array; variance: number } {
  if (quadrature.length === 0) throw new Error('quadrature must contain at least one rule');
  const sigma = options.sigma ?? Math.sqrt(1e-5);
  if (!(sigma > 0)) throw new Error(`sigma must be positive, got ${sigma}`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const q of quadrature) {
    for (const x of q.nodes) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
  }
  lo -= 0.01;
  hi += 0.01;
  const variance = options.variance ?? sigma * sigma * Math.max(1, hi - lo);
  if (!(variance > 0)) throw new Error(`variance must be positive, got ${variance}`);
  const sd = Math.sqrt(variance);
  let grid: Float64Array;
  const g = options.grid;
  if (g && typeof (g as ArrayLike<number>).length === 'number') {
    grid = Float64Array.from(g as ArrayLike<number>);
    if (grid.length < 2) throw new Error('grid must have at least 2 points');
  } else {
    const spec = (g ?? {}) as { min?: number; max?: number; points?: number };
    const points = checkInt('grid.points', spec.points ?? 1000, 2);
    const min = spec.min ?? lo - 3 * sd;
    const max = spec.max ?? hi + 3 * sd;
    if (!(max > min)) throw new Error(`grid.max must exceed grid.min, got [${min}, ${max}]`);
    grid = new Float64Array(points);
    for (let i = 0; i < points; i++) grid[i] = min + ((max - min) * i) / (points - 1);
  }
  const density = new Float64Array(grid.length);
  const norm = 1 / Math.sqrt(2 * Math.PI * variance);
  for (const q of quadrature) {
    for (let k = 0; k < q.nodes.length; k++) {
      const w = q.weights[k] / quadrature.length;
      if (w === 0) continue;
      for (let i = 0; i < grid.length; i++) {
        const d = grid[i] - q.nodes[k];
        density[i] += w * norm * Math.exp((-d * d) / (2 * variance));
      }
    }
  }
  const spacing = (grid[grid.length - 1] - grid[0]) / (grid.length - 1);
  let total = 0;
  for (const x of density) total += x;
  total *= spacing;
  if (total > 0) for (let i = 0; i < density.length; i++) density[i] /= total;
  return { grid, density, variance };
}

/** SLQ spectral density: raw nodes/weights per probe plus the smoothed density on a grid. */
export function spectralDensity(
  matvec: MatVec,
  dim: number,
  options: SpectralDensityOptions = {},
): SpectralDensity {
  const { quadrature, matvecs } = slqQuadrature(matvec, dim, options);
  return { quadrature, ...smoothDensity(quadrature, options), matvecs };
}

/** The exact density of known eigenvalues smoothed the same way (the oracle for SLQ). */
export function exactDensity(
  eigenvalues: ArrayLike<number>,
  options: { sigma?: number; grid?: SpectralDensityOptions['grid']; variance?: number } = {},
): { grid: Float64Array; density: Float64Array; variance: number } {
  const n = eigenvalues.length;
  return smoothDensity(
    [{ nodes: Float64Array.from(eigenvalues), weights: new Float64Array(n).fill(1 / n) }],
    options,
  );
}

/** L1 distance between two densities on the same uniform grid. */
export function densityL1(grid: ArrayLike<number>, p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== grid.length || q.length !== grid.length)
    throw new Error('densities must match the grid length');
  const spacing = (grid[grid.length - 1] - grid[0]) / (grid.length - 1);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
  return s * spacing;
}

/** Estimate of tr f(H) from quadrature rules: dim * mean_probes sum_k w_k f(theta_k). */
export function quadratureTrace(
  quadrature: readonly QuadratureRule[],
  dim: number,
  f: (x: number) => number,
): number {
  let s = 0;
  for (const q of quadrature) for (let k = 0; k < q.nodes.length; k++) s += q.weights[k] * f(q.nodes[k]);
  return (dim * s) / quadrature.length;
}
