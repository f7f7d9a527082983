/**
 * Matrix-based Renyi mutual information between two Hessians (Sanchez Giraldo, Rao, Principe 2015).
 * Each Hessian H is made PSD as |H| = Q |Lambda| Q^T, then normalised to unit diagonal and unit
 * trace: A = D^-1/2 |H| D^-1/2 / n with D = diag(|H|). Coordinates with a zero diagonal in either
 * matrix are dropped from both. Joint entropy: S(A o B / tr(A o B)) (Hadamard product);
 * I(A; B) = S(A) + S(B) - S(A, B), which satisfies 0 <= I <= min(S(A), S(B)).
 * I(A; A) = S(A) exactly when A o A has A's spectrum up to scale (e.g. block-constant correlations);
 * in general I(A; A) <= S(A).
 */
import { eigSym } from './eig';
import { renyiEntropy } from './entropy';

export interface MutualInformationOptions {
  /** Renyi order (default 1: von Neumann). */
  alpha?: number;
  /** Logarithm base (default e: nats; the original paper uses 2). */
  base?: number;
  /** Take |H| first (default true); false when the inputs are already PSD (e.g. |H| cached). */
  absolute?: boolean;
  /** Diagonal entries <= tol * max diagonal count as zero (default 1e-12). */
  zeroTol?: number;
}

export interface MutualInformationResult {
  mutualInformation: number;
  entropyA: number;
  entropyB: number;
  jointEntropy: number;
  /** Coordinates kept after dropping zero diagonals. */
  kept: number;
  alpha: number;
}

/** |H| = Q |Lambda| Q^T of a symmetric row-major matrix. */
export function matrixAbs(matrix: ArrayLike<number>, n: number): Float64Array {
  const { values, vectors } = eigSym(matrix, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const a = Math.abs(values[k]);
    if (a === 0) continue;
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const s = a * vectors[row + i];
      if (s === 0) continue;
      const oi = i * n;
      for (let j = 0; j < n; j++) out[oi + j] += s * vectors[row + j];
    }
  }
  return out;
}

/** Unit-diagonal, unit-trace normalisation restricted to the given coordinates. */
export function normalizeKernel(K: ArrayLike<number>, n: number, keep: readonly number[]): Float64Array {
  const m = keep.length;
  const A = new Float64Array(m * m);
  const inv = keep.map((i) => 1 / Math.sqrt(K[i * n + i]));
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) A[a * m + b] = (K[keep[a] * n + keep[b]] * inv[a] * inv[b]) / m;
  }
  return A;
}

export function mutualInformation(
  hA: ArrayLike<number>,
  hB: ArrayLike<number>,
  n: number,
  options: MutualInformationOptions = {},
): MutualInformationResult {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a positive integer, got ${n}`);
  if (hA.length !== n * n) throw new Error(`hA must have n*n = ${n * n} entries, got ${hA.length}`);
  if (hB.length !== n * n) throw new Error(`hB must have n*n = ${n * n} entries, got ${hB.length}`);
  const alpha = options.alpha ?? 1;
  const base = options.base ?? Math.E;
  const tol = options.zeroTol ?? 1e-12;
  const absolute = options.absolute ?? true;
  const KA = absolute ? matrixAbs(hA, n) : hA;
  const KB = absolute ? matrixAbs(hB, n) : hB;
  let maxA = 0;
  let maxB = 0;
  for (let i = 0; i < n; i++) {
    maxA = Math.max(maxA, KA[i * n + i]);
    maxB = Math.max(maxB, KB[i * n + i]);
  }
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (KA[i * n + i] > tol * maxA && KB[i * n + i] > tol * maxB) keep.push(i);
  }
  if (keep.length === 0) {
    return { mutualInformation: 0, entropyA: 0, entropyB: 0, jointEntropy: 0, kept: 0, alpha };
  }
  const m = keep.length;
  const A = normalizeKernel(KA, n, keep);
  const B = normalizeKernel(KB, n, keep);
  const J = new Float64Array(m * m);
  // tr(A o B) = sum_i (1/m)(1/m) = 1/m, so the unit-trace joint is m * (A o B).
  for (let i = 0; i < m * m; i++) J[i] = m * A[i] * B[i];
  const ent = (M: Float64Array): number => renyiEntropy(eigSym(M, m, { vectors: false }).values, alpha, base);
  const entropyA = ent(A);
  const entropyB = ent(B);
  const jointEntropy = ent(J);
  return {
    mutualInformation: entropyA + entropyB - jointEntropy,
    entropyA,
    entropyB,
    jointEntropy,
    kept: m,
    alpha,
  };
}
