/**
 * Theory as code (Appendix F, Theorem 3).
 *
 * simulateRiverValley: gradient descent on the block quadratic
 *   L(v, r) = 1/2 v^T H_V v + v^T C r - g^T r,
 * H_V = diag(valleyEigenvalues) (GD is rotation invariant, so a diagonal valley loses nothing),
 * C the dv x dr coupling, g the river gradient. Updates:
 *   v <- v - lr (H_V v + C r),   r <- r - lr (C^T v - g).
 * The valley's cumulative force on the river after t steps is F_t = -lr sum_{s<t} C^T v_s
 * (the part of r_t - r_0 not due to g). Theorem 1 bounds its dominant (unforced,
 * v_s = (I - lr H_V)^s v_0) part by ||C||_2 ||v_0|| sum_i 1/lambda_i.
 */
import type * as tf from '@tensorflow/tfjs';
import { gradientVector, type LossFn } from './hvp/hvp';
import { dot, norm } from './linalg';

export interface RiverValleySimulationConfig {
  /** Eigenvalues of the valley Hessian H_V (all > 0). */
  valleyEigenvalues: readonly number[];
  /** Coupling C, dv rows of dr entries. */
  coupling: readonly (readonly number[])[];
  /** River gradient g (length dr). */
  riverGradient: readonly number[];
  /** Learning rate; must satisfy lr * max(lambda) < 2 for a stable valley. */
  lr: number;
  steps: number;
  /** Initial valley displacement v_0; default: unit vector along -C g (the valley pushes the river forward). */
  valleyInit?: readonly number[];
  /** Initial river position r_0 (default 0). */
  riverInit?: readonly number[];
}

export interface RiverValleyStep {
  step: number;
  loss: number;
  /** g^T (r_t - r_0) / ||g||: distance travelled down the river. */
  riverProgress: number;
  /** ||F_t||: norm of the valley's cumulative force on the river. */
  cumulativeForce: number;
  valleyNorm: number;
}

export interface RiverValleySimulation {
  trajectory: RiverValleyStep[];
  final: RiverValleyStep;
  /** F_T as a vector. */
  cumulativeForceVector: Float64Array;
  /** Norm of the unforced (dominant) cumulative force lr ||sum_s C^T (I - lr H_V)^s v_0||. */
  dominantForce: number;
  /** Theorem 1's bound ||C||_2 ||v_0|| sum_i 1/lambda_i. */
  forceBound: number;
  couplingNorm: number;
}

/** Spectral norm of a dense matrix by power iteration on C^T C. */
export function spectralNorm(C: readonly (readonly number[])[]): number {
  const rows = C.length;
  const cols = rows ? C[0].length : 0;
  if (rows === 0 || cols === 0) return 0;
  let x = new Float64Array(cols).fill(1 / Math.sqrt(cols));
  let sigma = 0;
  for (let it = 0; it < 500; it++) {
    const y = new Float64Array(rows);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[i] += C[i][j] * x[j];
    const z = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) z[j] += C[i][j] * y[i];
    const nz = norm(z);
    if (nz === 0) return 0;
    const next = Math.sqrt(nz);
    x = z.map((v) => v / nz);
    if (Math.abs(next - sigma) <= 1e-13 * next) return next;
    sigma = next;
  }
  return sigma;
}

export function simulateRiverValley(config: RiverValleySimulationConfig): RiverValleySimulation {
  const lambdas = config.valleyEigenvalues;
  const dv = lambdas.length;
  const dr = config.riverGradient.length;
  if (dv === 0) throw new Error('valleyEigenvalues must be non-empty');
  if (dr === 0) throw new Error('riverGradient must be non-empty');
  lambdas.forEach((l, i) => {
    if (!(l > 0)) throw new Error(`valleyEigenvalues[${i}] must be > 0, got ${l}`);
  });
  const C = config.coupling;
  if (C.length !== dv || C.some((row) => row.length !== dr)) {
    throw new Error(
      `coupling must be ${dv} x ${dr} (valley x river), got ${C.length} x ${C[0]?.length ?? 0}`,
    );
  }
  const lr = config.lr;
  if (!(lr > 0)) throw new Error(`lr must be > 0, got ${lr}`);
  const steps = config.steps;
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`steps must be a positive integer, got ${steps}`);
  const g = Float64Array.from(config.riverGradient);
  const gNorm = norm(g);
  const Cg = new Float64Array(dv);
  for (let i = 0; i < dv; i++) for (let j = 0; j < dr; j++) Cg[i] += C[i][j] * g[j];
  let v: Float64Array;
  if (config.valleyInit) {
    if (config.valleyInit.length !== dv)
      throw new Error(`valleyInit must have length ${dv}, got ${config.valleyInit.length}`);
    v = Float64Array.from(config.valleyInit);
  } else {
    const n = norm(Cg);
    v = n > 0 ? Cg.map((x) => -x / n) : new Float64Array(dv).fill(1 / Math.sqrt(dv));
  }
  const v0 = Float64Array.from(v);
  const r0 = config.riverInit ? Float64Array.from(config.riverInit) : new Float64Array(dr);
  if (r0.length !== dr) throw new Error(`riverInit must have length ${dr}, got ${r0.length}`);
  let r = Float64Array.from(r0);
  const force = new Float64Array(dr);
  const loss = (vv: Float64Array, rr: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < dv; i++) {
      s += 0.5 * lambdas[i] * vv[i] * vv[i];
      for (let j = 0; j < dr; j++) s += vv[i] * C[i][j] * rr[j];
    }
    return s - dot(g, rr);
  };
  const record = (t: number): RiverValleyStep => {
    let progress = 0;
    for (let j = 0; j < dr; j++) progress += g[j] * (r[j] - r0[j]);
    return {
      step: t,
      loss: loss(v, r),
      riverProgress: gNorm > 0 ? progress / gNorm : 0,
      cumulativeForce: norm(force),
      valleyNorm: norm(v),
    };
  };
  const trajectory: RiverValleyStep[] = [record(0)];
  for (let t = 1; t <= steps; t++) {
    const gv = new Float64Array(dv);
    const ctv = new Float64Array(dr);
    for (let i = 0; i < dv; i++) {
      gv[i] = lambdas[i] * v[i];
      for (let j = 0; j < dr; j++) {
        gv[i] += C[i][j] * r[j];
        ctv[j] += C[i][j] * v[i];
      }
    }
    const nextV = new Float64Array(dv);
    const nextR = new Float64Array(dr);
    for (let i = 0; i < dv; i++) nextV[i] = v[i] - lr * gv[i];
    for (let j = 0; j < dr; j++) {
      nextR[j] = r[j] - lr * (ctv[j] - g[j]);
      force[j] -= lr * ctv[j];
    }
    v = nextV;
    r = nextR;
    trajectory.push(record(t));
  }
  // Unforced part: v_s = (I - lr H_V)^s v_0, summed in closed form per eigen-direction.
  const dominant = new Float64Array(dr);
  for (let i = 0; i < dv; i++) {
    const rho = 1 - lr * lambdas[i];
    const geometric = Math.abs(1 - rho) < 1e-15 ? steps : (1 - rho ** steps) / (1 - rho);
    const coef = lr * geometric * v0[i];
    for (let j = 0; j < dr; j++) dominant[j] -= coef * C[i][j];
  }
  const couplingNorm = spectralNorm(C);
  const capacity = lambdas.reduce((s, l) => s + 1 / l, 0);
  return {
    trajectory,
    final: trajectory[trajectory.length - 1],
    cumulativeForceVector: force,
    dominantForce: norm(dominant),
    forceBound: couplingNorm * norm(v0) * capacity,
    couplingNorm,
  };
}

/** Cosine similarity of two gradient vectors (0 when either is zero). */
export function gradientAlignment(gradA: ArrayLike<number>, gradB: ArrayLike<number>): number {
  if (gradA.length !== gradB.length)
    throw new Error(`gradients must have equal length, got ${gradA.length} and ${gradB.length}`);
  const na = norm(gradA);
  const nb = norm(gradB);
  return na > 0 && nb > 0 ? dot(gradA, gradB) / (na * nb) : 0;
}

export interface LossAlignment {
  cosine: number;
  dot: number;
  normA: number;
  normB: number;
}

/**
 * Gradient alignment of two losses at the same parameters (Theorem 3: Single-Attn vs Looped-Attn,
 * e.g. the same model's loss with loops = 1 and loops = 3).
 */
export function lossGradientAlignment(
  lossA: LossFn,
  lossB: LossFn,
  params: readonly tf.Variable[],
): LossAlignment {
  const a = gradientVector(lossA, params);
  const b = gradientVector(lossB, params);
  return { cosine: gradientAlignment(a, b), dot: dot(a, b), normA: norm(a), normB: norm(b) };
}
