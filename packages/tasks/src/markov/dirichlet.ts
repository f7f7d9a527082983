/** Dirichlet rows for the transition matrices: the draw order fixes every language, so keep it. */
import type { Rng } from '../rng';

/** Standard normal by Box-Muller (one value per call; simplicity over speed). */
function normal(rng: Rng): number {
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Gamma(shape, 1) by Marsaglia-Tsang (shape >= 1), boosted with U^(1/shape) for shape < 1. */
function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One row drawn from a symmetric Dirichlet(concentration) of `size` entries. */
export function dirichletRow(size: number, concentration: number, rng: Rng): number[] {
  const g = Array.from({ length: size }, () => gamma(concentration, rng));
  const total = g.reduce((a, b) => a + b, 0);
  return g.map((x) => x / total);
}
