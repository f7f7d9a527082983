import { simulateRiverValley, type RiverValleySimulation } from '@loop/hessian';
import { createRng } from '@loop/tasks';

export interface ValleySpectra {
  /** Single-Attn-like U valley: eigenvalues of similar size (condition number near 1). */
  u: number[];
  /** Looped-Attn-like V valley: eigenvalues spread over decades (large condition number). */
  v: number[];
}

/**
 * The two valley spectra of the synthetic comparison (Section 4.3, Assumption 1):
 * U: `dim` values evenly spaced in [uMin, 1]; V: `dim` values log-spaced in [vMin, 1].
 * With vMin < uMin every sorted V value is <= the U value of the same rank (dominance), and V has
 * more values below the low-curvature threshold (dimension), so Assumption 1 holds by construction.
 */
export function syntheticSpectra(dim: number, uMin: number, vMin: number): ValleySpectra {
  const u = Array.from({ length: dim }, (_, i) => (dim === 1 ? 1 : uMin + ((1 - uMin) * i) / (dim - 1)));
  const v = Array.from({ length: dim }, (_, i) => (dim === 1 ? 1 : vMin * Math.pow(1 / vMin, i / (dim - 1))));
  return { u, v };
}

/** Assumption 1 on two sorted valley spectra: (a) more low-curvature values, (b) component-wise smaller. */
export function assumptionOne(
  single: readonly number[],
  looped: readonly number[],
  threshold: number,
): { kSingle: number; kLooped: number; dimension: boolean; dominance: boolean; compared: number } {
  const a = [...single].sort((x, y) => x - y);
  const b = [...looped].sort((x, y) => x - y);
  const kSingle = a.filter((x) => x < threshold).length;
  const kLooped = b.filter((x) => x < threshold).length;
  // Dominance compares the k_looped smallest values rank by rank (as many as both spectra have).
  const compared = Math.min(kLooped, a.length, b.length);
  let dominance = compared > 0;
  for (let i = 0; i < compared; i++) if (b[i]! > a[i]!) dominance = false;
  return { kSingle, kLooped, dimension: kLooped > kSingle, dominance, compared };
}

/** Gaussian coupling C (dv x dr, entries N(0, scale^2/dv)) and unit river gradient g from `seed`. */
export function randomCoupling(
  dv: number,
  dr: number,
  seed: number,
  scale = 1,
): { coupling: number[][]; riverGradient: number[] } {
  const rng = createRng(seed).fork('river-valley-coupling');
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const coupling = Array.from({ length: dv }, () =>
    Array.from({ length: dr }, () => (scale * normal()) / Math.sqrt(dv)),
  );
  const g = Array.from({ length: dr }, normal);
  const n = Math.hypot(...g);
  return { coupling, riverGradient: g.map((x) => x / n) };
}

export interface TheoryComparison {
  u: RiverValleySimulation;
  v: RiverValleySimulation;
  spectra: ValleySpectra;
}

/** Runs GD on the quadratic river-valley model for both spectra with the same C, g, v0, lr, steps. */
export function compareValleys(o: {
  dim: number;
  riverDim: number;
  uMin: number;
  vMin: number;
  lr: number;
  steps: number;
  seed: number;
  /** Scale of the coupling entries; small enough that the coupled GD stays stable over `steps`. */
  couplingScale: number;
}): TheoryComparison {
  const spectra = syntheticSpectra(o.dim, o.uMin, o.vMin);
  const { coupling, riverGradient } = randomCoupling(o.dim, o.riverDim, o.seed, o.couplingScale);
  const common = { coupling, riverGradient, lr: o.lr, steps: o.steps };
  return {
    spectra,
    u: simulateRiverValley({ ...common, valleyEigenvalues: spectra.u }),
    v: simulateRiverValley({ ...common, valleyEigenvalues: spectra.v }),
  };
}
