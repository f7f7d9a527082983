/**
 * Extreme eigenvalues of a symmetric operator.
 * - topEigenvalues: PyHessian's deflated power iteration (largest |lambda| first), stopping when
 *   the relative change of the Rayleigh quotient is below tol.
 * - lanczosEigenvalues: k extreme Ritz pairs ('largest', 'smallest' or 'magnitude') from one
 *   Lanczos run with full reorthogonalisation; 'smallest' gives the most negative eigenvalues.
 */
import { lanczos, ritzVectors } from './lanczos';
import { axpy, checkInt, dot, norm, orthogonalize, type MatVec } from './linalg';
import { createProbeRng, gaussianVector } from './rng';

export interface TopEigenOptions {
  /** Number of eigenpairs (default 1). */
  k?: number;
  /** Power iterations per eigenpair (default 100). */
  maxIter?: number;
  /** Relative-change stopping tolerance (default 1e-3, PyHessian's). */
  tol?: number;
  seed?: number;
}

export interface EigenPairs {
  values: number[];
  vectors: Float64Array[];
  /** Iterations used per eigenpair (power iteration) or Lanczos steps. */
  iterations: number[];
  matvecs: number;
}

/** Deflated power iteration: eigenpairs in order of decreasing |lambda|. */
export function topEigenvalues(matvec: MatVec, dim: number, options: TopEigenOptions = {}): EigenPairs {
  checkInt('dim', dim, 1);
  const k = checkInt('k', options.k ?? 1, 1, dim);
  const maxIter = checkInt('maxIter', options.maxIter ?? 100, 1);
  const tol = options.tol ?? 1e-3;
  if (!(tol > 0)) throw new Error(`tol must be positive, got ${tol}`);
  const rng = createProbeRng(options.seed ?? 0);
  const values: number[] = [];
  const vectors: Float64Array[] = [];
  const iterations: number[] = [];
  let matvecs = 0;
  for (let e = 0; e < k; e++) {
    let v = gaussianVector(dim, rng);
    orthogonalize(v, vectors);
    v = normalized(v);
    let lambda = NaN;
    let it = 0;
    for (; it < maxIter; it++) {
      const hv = Float64Array.from(matvec(v));
      matvecs++;
      // Deflation: project out the converged eigenvectors (PyHessian's orthnormal step).
      orthogonalize(hv, vectors);
      const next = dot(v, hv);
      const nv = norm(hv);
      const converged = Number.isFinite(lambda) && Math.abs(next - lambda) / (Math.abs(lambda) + 1e-6) < tol;
      lambda = next;
      if (nv === 0) break;
      v = normalized(hv);
      if (converged) {
        it++;
        break;
      }
    }
    values.push(lambda);
    vectors.push(v);
    iterations.push(it);
  }
  return { values, vectors, iterations, matvecs };
}

function normalized(v: Float64Array): Float64Array {
  const n = norm(v);
  if (n === 0) return v;
  const out = new Float64Array(v.length);
  axpy(1 / n, v, out);
  return out;
}

export interface LanczosEigenOptions {
  k?: number;
  /** 'largest' (algebraic, default), 'smallest' (algebraic: most negative first) or 'magnitude'. */
  which?: 'largest' | 'smallest' | 'magnitude';
  /** Lanczos steps (default min(dim, max(2k + 20, 40))). */
  steps?: number;
  seed?: number;
  /** Also return Ritz vectors (stores the Lanczos basis). Default true. */
  vectors?: boolean;
}

export interface LanczosEigenPairs extends EigenPairs {
  /** Residual bound per returned Ritz pair: ||H y - theta y|| = |beta_m * s_m|. */
  residuals: number[];
}

/** k extreme eigenpairs from Lanczos with full reorthogonalisation. */
export function lanczosEigenvalues(
  matvec: MatVec,
  dim: number,
  options: LanczosEigenOptions = {},
): LanczosEigenPairs {
  checkInt('dim', dim, 1);
  const k = checkInt('k', options.k ?? 1, 1, dim);
  const which = options.which ?? 'largest';
  if (!['largest', 'smallest', 'magnitude'].includes(which)) {
    throw new Error(`which must be 'largest', 'smallest' or 'magnitude', got ${String(which)}`);
  }
  const steps = checkInt('steps', options.steps ?? Math.min(dim, Math.max(2 * k + 20, 40)), k, dim);
  const wantVectors = options.vectors ?? true;
  const r = lanczos(matvec, dim, {
    steps,
    seed: options.seed ?? 0,
    startDistribution: 'gaussian',
    keepBasis: wantVectors,
  });
  const m = r.ritzValues.length;
  const order = Array.from({ length: m }, (_, i) => i);
  if (which === 'largest') order.reverse();
  else if (which === 'magnitude') order.sort((a, b) => Math.abs(r.ritzValues[b]) - Math.abs(r.ritzValues[a]));
  const chosen = order.slice(0, Math.min(k, m));
  return {
    values: chosen.map((i) => r.ritzValues[i]),
    vectors: wantVectors ? ritzVectors(r, chosen) : [],
    iterations: chosen.map(() => m),
    residuals: chosen.map((i) => r.residuals[i]),
    matvecs: r.matvecs,
  };
}

/** The k smallest (most negative first) eigenvalues by Lanczos. */
export function smallestEigenvalues(
  matvec: MatVec,
  dim: number,
  options: Omit<LanczosEigenOptions, 'which'> = {},
): LanczosEigenPairs {
  return lanczosEigenvalues(matvec, dim, { ...options, which: 'smallest' });
}
