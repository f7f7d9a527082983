/** Stochastic trace estimators with Rademacher probes: Hutchinson and Hutch++ (Meyer et al. 2021). */
import { checkInt, dot, norm, orthogonalize, type MatVec } from './linalg';
import { createProbeRng, rademacherVector } from './rng';

export interface TraceEstimate {
  estimate: number;
  /** Standard error of the stochastic part (sample sd / sqrt(probes)). */
  stdErr: number;
  matvecs: number;
}

/** Hutchinson: mean of z^T H z over Rademacher z (exact on diagonal matrices). */
export function hutchinsonTrace(
  matvec: MatVec,
  dim: number,
  options: { probes?: number; seed?: number } = {},
): TraceEstimate {
  checkInt('dim', dim, 1);
  const probes = checkInt('probes', options.probes ?? 100, 1);
  const rng = createProbeRng(options.seed ?? 0);
  const samples: number[] = [];
  for (let p = 0; p < probes; p++) {
    const z = rademacherVector(dim, rng);
    samples.push(dot(z, matvec(z)));
  }
  const { mean, stdErr } = meanAndStdErr(samples);
  return { estimate: mean, stdErr, matvecs: probes };
}

function meanAndStdErr(samples: number[]): { mean: number; stdErr: number } {
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, stdErr: NaN };
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, stdErr: Math.sqrt(variance / n) };
}

/**
 * Hutch++ with a total budget of `matvecs` products (multiple of 3): exact trace on the range of
 * H S (S: matvecs/3 Rademacher columns), Hutchinson on the deflated remainder.
 */
export function hutchPlusPlusTrace(
  matvec: MatVec,
  dim: number,
  options: { matvecs?: number; seed?: number } = {},
): TraceEstimate {
  checkInt('dim', dim, 1);
  const budget = checkInt('matvecs', options.matvecs ?? 99, 3);
  const third = Math.floor(budget / 3);
  const rng = createProbeRng(options.seed ?? 0);
  // Orthonormal basis Q of range(H S).
  const Q: Float64Array[] = [];
  for (let i = 0; i < Math.min(third, dim); i++) {
    const y = Float64Array.from(matvec(rademacherVector(dim, rng)));
    orthogonalize(y, Q);
    const n = norm(y);
    if (n > 1e-10) {
      for (let j = 0; j < dim; j++) y[j] /= n;
      Q.push(y);
    }
  }
  let used = Math.min(third, dim);
  let exact = 0;
  for (const q of Q) {
    exact += dot(q, matvec(q));
    used++;
  }
  const samples: number[] = [];
  for (let p = 0; p < third; p++) {
    const z = rademacherVector(dim, rng);
    orthogonalize(z, Q);
    samples.push(dot(z, matvec(z)));
    used++;
  }
  const { mean, stdErr } = samples.length > 0 ? meanAndStdErr(samples) : { mean: 0, stdErr: 0 };
  return { estimate: exact + mean, stdErr, matvecs: used };
}

/** Exact trace of a row-major n x n matrix (test helper and full-Hessian path). */
export function matrixTrace(matrix: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += matrix[i * n + i];
  return s;
}
