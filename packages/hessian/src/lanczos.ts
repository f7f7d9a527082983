/**
 * Lanczos tridiagonalisation of a symmetric operator, recurrences in float64.
 * With full reorthogonalisation (default) a breakdown (beta ~ 0, an invariant subspace found)
 * restarts from a fresh random vector orthogonal to the basis, so m = n steps recover the whole
 * spectrum including multiplicities; without it the classic three-term recurrence is used and
 * "ghost" copies of converged extreme eigenvalues appear.
 */
import { tridiagonalEig, type SymmetricEigen } from './eig';
import { axpy, checkInt, checkVectorLength, dot, norm, orthogonalize, type MatVec } from './linalg';
import { createProbeRng, rademacherVector, gaussianVector } from './rng';

export interface LanczosOptions {
  /** Number of Lanczos steps m (<= dim). Default min(dim, 30). */
  steps?: number;
  /** Seed of the random start vector (default 0). */
  seed?: number;
  /** Start vector (normalised internally); overrides seed. */
  startVector?: ArrayLike<number>;
  /** Start vector distribution when drawn: 'rademacher' (PyHessian) or 'gaussian'. */
  startDistribution?: 'rademacher' | 'gaussian';
  /** Full reorthogonalisation against all previous vectors (default true). */
  reorthogonalize?: boolean;
  /** Keep the Lanczos vectors in the result (needed for Ritz vectors). Default false. */
  keepBasis?: boolean;
}

export interface LanczosResult {
  /** Diagonal of the tridiagonal matrix T (length m). */
  alpha: Float64Array;
  /** Off-diagonal of T (length m - 1); a 0 marks a restart after breakdown. */
  beta: Float64Array;
  /** Eigenvalues of T (Ritz values), ascending. */
  ritzValues: Float64Array;
  /** Squared first components of T's eigenvectors: Gauss quadrature weights, summing to 1. */
  ritzWeights: Float64Array;
  /** Eigen-decomposition of T (vectors as rows). */
  tridiagonal: SymmetricEigen;
  /** Residual bound |beta_m * last component| per Ritz pair (0 at exact convergence). */
  residuals: Float64Array;
  /** Lanczos vectors q_1..q_m when keepBasis was set. */
  basis?: Float64Array[];
  /** Number of operator applications. */
  matvecs: number;
}

function checkDim(dim: number): void {
  checkInt('dim', dim, 1);
}

/** Runs m Lanczos steps from a (seeded) random or given start vector. */
export function lanczos(matvec: MatVec, dim: number, options: LanczosOptions = {}): LanczosResult {
  checkDim(dim);
  const m = checkInt('steps', options.steps ?? Math.min(dim, 30), 1, dim);
  const reorth = options.reorthogonalize ?? true;
  const rng = createProbeRng(options.seed ?? 0);
  const draw = (): Float64Array =>
    options.startDistribution === 'gaussian' ? gaussianVector(dim, rng) : rademacherVector(dim, rng);
  let q: Float64Array;
  if (options.startVector) {
    checkVectorLength('startVector', options.startVector, dim);
    q = Float64Array.from(options.startVector);
  } else {
    q = draw();
  }
  const q0norm = norm(q);
  if (!(q0norm > 0)) throw new Error('startVector must be non-zero');
  for (let i = 0; i < dim; i++) q[i] /= q0norm;

  const alpha = new Float64Array(m);
  const beta = new Float64Array(Math.max(0, m - 1));
  const basis: Float64Array[] = [];
  let prev: Float64Array | null = null;
  let prevBeta = 0;
  let lastBeta = 0;
  let matvecs = 0;
  for (let j = 0; j < m; j++) {
    if (reorth || options.keepBasis) basis.push(q);
    const w = Float64Array.from(matvec(q));
    matvecs++;
    if (w.length !== dim) throw new Error(`matvec must return length ${dim}, got ${w.length}`);
    const a = dot(q, w);
    alpha[j] = a;
    axpy(-a, q, w);
    if (prev) axpy(-prevBeta, prev, w);
    if (reorth) orthogonalize(w, basis);
    const b = norm(w);
    lastBeta = b;
    if (j === m - 1) break;
    // Breakdown: the Krylov space is invariant. Restart orthogonally (reorth) or stop.
    const scaleRef = Math.max(Math.abs(a), prevBeta, 1e-300);
    if (b <= 1e-10 * scaleRef) {
      if (!reorth) {
        return finish(alpha.subarray(0, j + 1), beta.subarray(0, j), 0, basis, options.keepBasis, matvecs);
      }
      let fresh = draw();
      orthogonalize(fresh, basis);
      let fn = norm(fresh);
      let attempts = 0;
      while (fn < 1e-8 && attempts++ < 5) {
        fresh = draw();
        orthogonalize(fresh, basis);
        fn = norm(fresh);
      }
      for (let i = 0; i < dim; i++) fresh[i] /= fn;
      beta[j] = 0;
      prev = null;
      prevBeta = 0;
      q = fresh;
      continue;
    }
    beta[j] = b;
    for (let i = 0; i < dim; i++) w[i] /= b;
    prev = q;
    prevBeta = b;
    q = w;
  }
  return finish(alpha, beta, lastBeta, basis, options.keepBasis, matvecs);
}

function finish(
  alpha: Float64Array,
  beta: Float64Array,
  lastBeta: number,
  basis: Float64Array[],
  keepBasis: boolean | undefined,
  matvecs: number,
): LanczosResult {
  const tri = tridiagonalEig(alpha, beta);
  const m = alpha.length;
  const weights = new Float64Array(m);
  const residuals = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    // Row k of tri.vectors is eigenvector k: weight = first component squared.
    weights[k] = tri.vectors[k * m] ** 2;
    residuals[k] = Math.abs(lastBeta * tri.vectors[k * m + m - 1]);
  }
  const result: LanczosResult = {
    alpha: Float64Array.from(alpha),
    beta: Float64Array.from(beta),
    ritzValues: tri.values,
    ritzWeights: weights,
    tridiagonal: tri,
    residuals,
    matvecs,
  };
  if (keepBasis) result.basis = basis.slice(0, m);
  return result;
}

/** Ritz vectors (unit, in the original space) for the given Ritz indices; needs keepBasis. */
export function ritzVectors(result: LanczosResult, indices: readonly number[]): Float64Array[] {
  if (!result.basis) throw new Error('ritzVectors: run lanczos with { keepBasis: true }');
  const m = result.alpha.length;
  const dim = result.basis[0].length;
  return indices.map((k) => {
    if (!Number.isInteger(k) || k < 0 || k >= m)
      throw new Error(`Ritz index must be in [0, ${m - 1}], got ${k}`);
    const y = new Float64Array(dim);
    for (let j = 0; j < m; j++) axpy(result.tridiagonal.vectors[k * m + j], result.basis![j], y);
    return y;
  });
}

/** The dense m x m tridiagonal matrix T (row-major), e.g. to cross-check with eigSym. */
export function tridiagonalMatrix(alpha: ArrayLike<number>, beta: ArrayLike<number>): Float64Array {
  const m = alpha.length;
  const T = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    T[i * m + i] = alpha[i];
    if (i < m - 1) {
      T[i * m + i + 1] = beta[i];
      T[(i + 1) * m + i] = beta[i];
    }
  }
  return T;
}
