import {
  denseMatVec,
  densityL1,
  exactDensity,
  hutchPlusPlusTrace,
  hutchinsonTrace,
  matrixEntropy,
  matrixTrace,
  quadratureTrace,
  slqEntropy,
  spectralDensity,
} from '../src';
import { symmetricWithSpectrum } from './helpers';

// n = 100: a spike at 0 (a river), a bulk, a few negative and large outliers.
const n = 100;
const lambdas = [
  ...Array.from({ length: 30 }, () => 0),
  ...Array.from({ length: 55 }, (_, i) => 0.5 + (2.5 * i) / 54),
  -1.5,
  -1,
  -0.5,
  -0.25,
  -0.1,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  12,
  13,
  14,
];
const { A } = symmetricWithSpectrum(lambdas, 21);
const matvec = denseMatVec(A, n);

function l1(steps: number, probes: number): number {
  const slq = spectralDensity(matvec, n, { steps, probes, seed: 1, sigma: 0.1 });
  const exact = exactDensity(lambdas, { grid: slq.grid, variance: slq.variance });
  return densityL1(slq.grid, slq.density, exact.density);
}

test('SLQ density is normalised and within the notes tolerances of the exact density (sigma 0.1)', () => {
  const slq = spectralDensity(matvec, n, { steps: 20, probes: 10, seed: 1, sigma: 0.1 });
  const spacing = slq.grid[1] - slq.grid[0];
  expect(slq.density.reduce((a, b) => a + b, 0) * spacing).toBeCloseTo(1, 10);
  expect(slq.quadrature).toHaveLength(10);
  expect(slq.matvecs).toBe(200);
  const small = l1(20, 10);
  const large = l1(40, 20);
  // Notes: ~0.10 (m = 20, 10 probes), ~0.07 (40, 20).
  expect(small).toBeLessThan(0.15);
  expect(large).toBeLessThan(0.1);
});

test('SLQ trace and |lambda| entropy estimates match the exact values', () => {
  const slq = spectralDensity(matvec, n, { steps: 40, probes: 20, seed: 2 });
  const exactEntropy = matrixEntropy(lambdas);
  const est = slqEntropy(slq.quadrature, n);
  expect(Math.abs(est.entropy - exactEntropy.entropy)).toBeLessThan(0.05);
  expect(Math.abs(est.negativeMassFraction - exactEntropy.negativeMassFraction)).toBeLessThan(0.02);
  const trace = lambdas.reduce((a, b) => a + b, 0);
  expect(Math.abs(quadratureTrace(slq.quadrature, n, (x) => x) - trace) / trace).toBeLessThan(0.1);
});

test('Hutchinson trace is unbiased within 3 standard errors on a non-diagonal matrix; Hutch++ is sharper', () => {
  const trace = matrixTrace(A, n);
  expect(trace).toBeCloseTo(
    lambdas.reduce((a, b) => a + b, 0),
    9,
  );
  const h = hutchinsonTrace(matvec, n, { probes: 200, seed: 3 });
  expect(h.stdErr).toBeGreaterThan(0);
  expect(Math.abs(h.estimate - trace)).toBeLessThan(3 * h.stdErr);
  expect(h.matvecs).toBe(200);
  // Low-rank-dominated matrix: Hutch++ captures the top subspace exactly.
  const spiky = symmetricWithSpectrum([...Array.from({ length: 95 }, () => 0.01), 50, 40, 30, 20, 10], 4);
  const spikyMv = denseMatVec(spiky.A, n);
  const exact = 150 + 0.95;
  const hpp = hutchPlusPlusTrace(spikyMv, n, { matvecs: 60, seed: 5 });
  const plain = hutchinsonTrace(spikyMv, n, { probes: 60, seed: 5 });
  expect(Math.abs(hpp.estimate - exact)).toBeLessThan(0.05);
  expect(Math.abs(hpp.estimate - exact)).toBeLessThan(
    Math.max(Math.abs(plain.estimate - exact), plain.stdErr),
  );
  expect(hpp.matvecs).toBeLessThanOrEqual(60);
});

test('Hutchinson with Rademacher probes is exact on a diagonal matrix (why the test above uses a rotated one)', () => {
  const d = [1, -2, 3, 4];
  const diag = new Float64Array(16);
  d.forEach((x, i) => (diag[i * 4 + i] = x));
  const h = hutchinsonTrace(denseMatVec(diag, 4), 4, { probes: 5, seed: 1 });
  expect(h.estimate).toBeCloseTo(6, 12);
  expect(h.stdErr).toBeCloseTo(0, 12);
});
