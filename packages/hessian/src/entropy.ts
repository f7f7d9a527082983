/**
 * Matrix (von Neumann) entropy of a Hessian spectrum.
 * Convention ('abs', default): p_i = |lambda_i| / sum_j |lambda_j|, S = -sum p_i ln p_i (nats),
 * 0 <= S <= ln n, effective rank exp(S); the negative-mass fraction
 * sum_{lambda<0} |lambda| / sum |lambda| is reported alongside. 'positive' clips negatives to 0.
 */
import { eigSym } from './eig';
import type { QuadratureRule } from './slq';

export interface EntropyResult {
  /** Von Neumann entropy in nats. */
  entropy: number;
  /** exp(entropy); 0 for an all-zero spectrum. */
  effectiveRank: number;
  /** Share of |lambda| mass on negative eigenvalues. */
  negativeMassFraction: number;
  /** sum |lambda| (the trace of |H|). */
  totalMass: number;
}

export interface EntropyOptions {
  convention?: 'abs' | 'positive';
}

/** Entropy of an eigenvalue list, or of a symmetric row-major matrix { matrix, n }. */
export function matrixEntropy(
  input: ArrayLike<number> | { matrix: ArrayLike<number>; n: number },
  options: EntropyOptions = {},
): EntropyResult {
  const values = isMatrixInput(input) ? eigSym(input.matrix, input.n, { vectors: false }).values : input;
  const convention = options.convention ?? 'abs';
  if (convention !== 'abs' && convention !== 'positive') {
    throw new Error(`convention must be 'abs' or 'positive', got ${String(convention)}`);
  }
  let total = 0;
  let negative = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new Error(`eigenvalues[${i}] must be finite, got ${v}`);
    if (v < 0) negative -= v;
    total += Math.abs(v);
  }
  const negativeMassFraction = total > 0 ? negative / total : 0;
  const mass = convention === 'abs' ? total : total - negative;
  if (!(mass > 0)) return { entropy: 0, effectiveRank: 0, negativeMassFraction, totalMass: total };
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const m = convention === 'abs' ? Math.abs(values[i]) : Math.max(0, values[i]);
    if (m > 0) {
      const p = m / mass;
      s -= p * Math.log(p);
    }
  }
  return { entropy: s, effectiveRank: Math.exp(s), negativeMassFraction, totalMass: total };
}

function isMatrixInput(x: unknown): x is { matrix: ArrayLike<number>; n: number } {
  return typeof x === 'object' && x !== null && 'matrix' in x && 'n' in x;
}

/**
 * Renyi alpha-entropy of a unit-trace PSD matrix from its eigenvalues:
 * S_alpha = log(sum lambda^alpha) / (1 - alpha), von Neumann at alpha = 1. Tiny negative
 * round-off eigenvalues are clipped to 0. base: logarithm base (default e; 2 gives bits).
 */
export function renyiEntropy(eigenvalues: ArrayLike<number>, alpha = 1, base = Math.E): number {
  if (!(alpha > 0)) throw new Error(`alpha must be positive, got ${alpha}`);
  if (!(base > 1)) throw new Error(`base must be > 1, got ${base}`);
  let total = 0;
  for (let i = 0; i < eigenvalues.length; i++) total += Math.max(0, eigenvalues[i]);
  if (!(total > 0)) return 0;
  const lnBase = Math.log(base);
  if (Math.abs(alpha - 1) < 1e-12) {
    let s = 0;
    for (let i = 0; i < eigenvalues.length; i++) {
      const p = Math.max(0, eigenvalues[i]) / total;
      if (p > 0) s -= p * Math.log(p);
    }
    return s / lnBase;
  }
  let sum = 0;
  for (let i = 0; i < eigenvalues.length; i++) sum += (Math.max(0, eigenvalues[i]) / total) ** alpha;
  return Math.log(sum) / (1 - alpha) / lnBase;
}

/**
 * SLQ estimate of the |lambda| entropy for operators too large for full Hessians:
 * with T = tr|H| ~ dim * E[sum_k w_k |theta_k|] and U = tr(|H| ln|H|) likewise,
 * S = ln T - U / T.
 */
export function slqEntropy(quadrature: readonly QuadratureRule[], dim: number): EntropyResult {
  if (quadrature.length === 0) throw new Error('quadrature must contain at least one rule');
  let t = 0;
  let u = 0;
  let neg = 0;
  for (const q of quadrature) {
    for (let k = 0; k < q.nodes.length; k++) {
      const a = Math.abs(q.nodes[k]);
      t += q.weights[k] * a;
      if (a > 0) u += q.weights[k] * a * Math.log(a);
      if (q.nodes[k] < 0) neg += q.weights[k] * a;
    }
  }
  const scale = dim / quadrature.length;
  t *= scale;
  u *= scale;
  neg *= scale;
  if (!(t > 0)) return { entropy: 0, effectiveRank: 0, negativeMassFraction: 0, totalMass: 0 };
  // Clamp into the feasible range [0, ln dim] (quadrature noise can step slightly outside).
  const entropy = Math.min(Math.log(dim), Math.max(0, Math.log(t) - u / t));
  return { entropy, effectiveRank: Math.exp(entropy), negativeMassFraction: neg / t, totalMass: t };
}
