import {
  denseMatVec,
  lanczos,
  lanczosEigenvalues,
  ritzVectors,
  smallestEigenvalues,
  topEigenvalues,
} from '../src';
import { createProbeRng, gaussianVector } from '../src/rng';
import { maxAbsDiff, symmetricWithSpectrum } from './helpers';

const chosen = [-4, -1, 0, 0, 0, 0.25, 0.5, 0.5, 0.5, 1, 1.001, 1.002, 3, 9];

test('Lanczos with m = n and full reorthogonalisation recovers every eigenvalue, multiplicities included', () => {
  const n = chosen.length;
  const { A } = symmetricWithSpectrum(chosen, 2);
  const r = lanczos(denseMatVec(A, n), n, { steps: n, seed: 3 });
  expect(r.matvecs).toBe(n);
  expect(
    maxAbsDiff(
      r.ritzValues,
      [...chosen].sort((a, b) => a - b),
    ),
  ).toBeLessThan(1e-9);
});

test('without reorthogonalisation, ghost copies of the extreme eigenvalue appear', () => {
  // 100 eigenvalues: a dense bulk in [0, 1] and two well separated outliers.
  const n = 100;
  const lambdas = Array.from({ length: n - 2 }, (_, i) => i / (n - 3)).concat([20, 50]);
  const { A } = symmetricWithSpectrum(lambdas, 4);
  const copiesOf50 = (reorthogonalize: boolean): number =>
    Array.from(lanczos(denseMatVec(A, n), n, { steps: n, seed: 5, reorthogonalize }).ritzValues).filter(
      (x) => Math.abs(x - 50) < 1e-6,
    ).length;
  expect(copiesOf50(true)).toBe(1);
  expect(copiesOf50(false)).toBeGreaterThanOrEqual(2);
});

test('quadrature weights sum to 1 and reproduce v^T H v and ||H v||^2 for the start vector', () => {
  const n = 40;
  const lambdas = Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
  const { A } = symmetricWithSpectrum(lambdas, 6);
  const matvec = denseMatVec(A, n);
  const v = gaussianVector(n, createProbeRng(8));
  const vn = Math.hypot(...v);
  const u = v.map((x) => x / vn);
  const hu = matvec(u);
  const uHu = u.reduce((s, x, i) => s + x * hu[i], 0);
  const hu2 = hu.reduce((s, x) => s + x * x, 0);
  for (const steps of [3, 10, 25]) {
    const r = lanczos(matvec, n, { steps, startVector: v });
    const w = Array.from(r.ritzWeights);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(w.reduce((s, wk, k) => s + wk * r.ritzValues[k], 0)).toBeCloseTo(uHu, 10);
    expect(w.reduce((s, wk, k) => s + wk * r.ritzValues[k] ** 2, 0)).toBeCloseTo(hu2, 9);
  }
});

test('Ritz vectors of converged pairs are eigenvectors', () => {
  const n = 30;
  const lambdas = Array.from({ length: n }, (_, i) => i + 1);
  const { A, Q } = symmetricWithSpectrum(lambdas, 9);
  const r = lanczos(denseMatVec(A, n), n, { steps: n, seed: 1, keepBasis: true });
  const [y] = ritzVectors(r, [n - 1]);
  const overlap = Math.abs(y.reduce((s, x, i) => s + x * Q[n - 1][i], 0));
  expect(overlap).toBeCloseTo(1, 8);
});

describe('extreme eigenvalues', () => {
  const lambdas = [-6, -2.5, -0.1, ...Array.from({ length: 57 }, (_, i) => (i % 10) * 0.1), 4, 8, 16];
  const n = lambdas.length;
  const { A, Q } = symmetricWithSpectrum(lambdas, 10);
  const matvec = denseMatVec(A, n);

  test('deflated power iteration finds the top-3 by magnitude (PyHessian)', () => {
    const r = topEigenvalues(matvec, n, { k: 3, maxIter: 500, tol: 1e-8, seed: 1 });
    expect(r.values[0]).toBeCloseTo(16, 5);
    expect(r.values[1]).toBeCloseTo(8, 4);
    expect(Math.abs(r.values[2])).toBeCloseTo(6, 3);
    const overlap = Math.abs(r.vectors[0].reduce((s, x, i) => s + x * Q[n - 1][i], 0));
    expect(overlap).toBeGreaterThan(0.9999);
    expect(r.matvecs).toBe(r.iterations.reduce((a, b) => a + b, 0));
  });

  test('Lanczos gives largest, smallest (most negative) and largest-magnitude eigenvalues', () => {
    const largest = lanczosEigenvalues(matvec, n, { k: 3, seed: 2 });
    expect(maxAbsDiff(largest.values, [16, 8, 4])).toBeLessThan(1e-8);
    expect(Math.max(...largest.residuals)).toBeLessThan(1e-6);
    const smallest = smallestEigenvalues(matvec, n, { k: 2, seed: 2 });
    expect(maxAbsDiff(smallest.values, [-6, -2.5])).toBeLessThan(1e-8);
    const v = smallest.vectors[0];
    expect(Math.abs(v.reduce((s, x, i) => s + x * Q[0][i], 0))).toBeCloseTo(1, 6);
    const mag = lanczosEigenvalues(matvec, n, { k: 3, which: 'magnitude', seed: 2 });
    expect(maxAbsDiff(mag.values, [16, 8, -6])).toBeLessThan(1e-8);
  });
});

test('options are validated', () => {
  const mv = denseMatVec([1, 0, 0, 1], 2);
  expect(() => lanczos(mv, 2, { steps: 3 })).toThrow(/steps must be an integer in \[1, 2\], got 3/);
  expect(() => topEigenvalues(mv, 2, { k: 0 })).toThrow(/k must be an integer/);
  expect(() => lanczosEigenvalues(mv, 2, { which: 'middle' as 'largest' })).toThrow(/which must be/);
});
