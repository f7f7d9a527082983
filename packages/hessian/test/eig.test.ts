import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import { eigSym, eigenvector, tridiagonalEig } from '../src';
import { maxAbsDiff, symmetricWithSpectrum } from './helpers';

test('eigSym recovers a chosen spectrum (negative, repeated, zero, clustered) and its eigenvectors', () => {
  const lambdas = [-3, -0.5, 0, 0, 1e-3, 1, 1, 1, 2, 2.0001, 2.0002, 7];
  const { A, Q } = symmetricWithSpectrum(lambdas, 1);
  const n = lambdas.length;
  const { values, vectors } = eigSym(A, n);
  expect(
    maxAbsDiff(
      values,
      [...lambdas].sort((a, b) => a - b),
    ),
  ).toBeLessThan(1e-12);
  // Non-degenerate eigenvalues: eigenvector equals +-q_k; all: A x = lambda x and orthonormal.
  for (let k = 0; k < n; k++) {
    const x = vectors.subarray(k * n, (k + 1) * n);
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += A[i * n + j] * x[j];
      expect(Math.abs(ax - values[k] * x[i])).toBeLessThan(1e-12);
    }
    for (let l = 0; l < n; l++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += x[i] * vectors[l * n + i];
      expect(Math.abs(d - (k === l ? 1 : 0))).toBeLessThan(1e-12);
    }
  }
  const top = eigenvector({ values, vectors, n }, n - 1);
  const overlap = Math.abs(top.reduce((s, x, i) => s + x * Q[n - 1][i], 0));
  expect(overlap).toBeCloseTo(1, 12);
});

test('eigSym matches the closed form of a 2x2 matrix and ml-matrix on a random 60x60 matrix', () => {
  const [a, b, c] = [2, 1.5, -1];
  const mid = (a + c) / 2;
  const rad = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  expect(maxAbsDiff(eigSym([a, b, b, c], 2).values, [mid - rad, mid + rad])).toBeLessThan(1e-14);

  const n = 60;
  const r = Matrix.rand(n, n, { random: mulberry(5) });
  const s = r.add(r.transpose());
  const ref = new EigenvalueDecomposition(s, { assumeSymmetric: true }).realEigenvalues;
  expect(maxAbsDiff(eigSym(s.to1DArray(), n, { vectors: false }).values, ref)).toBeLessThan(1e-10);
});

test('tridiagonalEig: eigenvalues of the (1, -2, 1) Toeplitz matrix are -2 + 2 cos(k pi/(n+1))', () => {
  const n = 50;
  const exact = Array.from({ length: n }, (_, k) => -2 + 2 * Math.cos(((k + 1) * Math.PI) / (n + 1))).sort(
    (x, y) => x - y,
  );
  const r = tridiagonalEig(new Float64Array(n).fill(-2), new Float64Array(n - 1).fill(1));
  expect(maxAbsDiff(r.values, exact)).toBeLessThan(1e-12);
});

test('bad input is rejected with the argument named', () => {
  expect(() => eigSym([1, 2, 3], 2)).toThrow(/n\*n = 4 entries, got 3/);
  expect(() => eigSym([1, NaN, NaN, 1], 2)).toThrow(/matrix\[0\]\[1\] must be finite/);
  expect(() => tridiagonalEig([1, 2], [1, 2])).toThrow(/beta must have length 1/);
});

function mulberry(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
