import { matrixAbs, matrixEntropy, mutualInformation, renyiEntropy } from '../src';
import { createProbeRng, gaussianVector } from '../src/rng';
import { symmetricWithSpectrum } from './helpers';

describe('matrixEntropy', () => {
  test('uniform spectrum -> ln n, effective rank n; one-hot -> 0', () => {
    const u = matrixEntropy([2, 2, 2, 2, 2]);
    expect(u.entropy).toBeCloseTo(Math.log(5), 12);
    expect(u.effectiveRank).toBeCloseTo(5, 10);
    const o = matrixEntropy([0, 0, 3, 0]);
    expect(o.entropy).toBe(0);
    expect(o.effectiveRank).toBe(1);
  });

  test('|lambda| convention, negative-mass fraction and the positive convention, by hand', () => {
    // p = (1, 1, 2) / 4 -> S = -(2 * 1/4 ln 1/4 + 1/2 ln 1/2) = 1.5 ln 2.
    const r = matrixEntropy([-1, 1, 2]);
    expect(r.entropy).toBeCloseTo(1.5 * Math.log(2), 12);
    expect(r.negativeMassFraction).toBeCloseTo(0.25, 12);
    expect(r.totalMass).toBe(4);
    expect(matrixEntropy([-1, 1, 2], { convention: 'positive' }).entropy).toBeCloseTo(
      -(1 / 3) * Math.log(1 / 3) - (2 / 3) * Math.log(2 / 3),
      12,
    );
  });

  test('matrix input: rotation and scale invariant', () => {
    const lambdas = [-0.5, 0, 1, 3, 3];
    const { A } = symmetricWithSpectrum(lambdas, 3);
    const scaled = A.map((x) => 7 * x);
    expect(matrixEntropy({ matrix: scaled, n: 5 }).entropy).toBeCloseTo(matrixEntropy(lambdas).entropy, 10);
  });

  test('Renyi entropy: alpha = 2 closed form and alpha -> 1 limit', () => {
    const p = [0.5, 0.25, 0.25];
    expect(renyiEntropy(p, 2)).toBeCloseTo(-Math.log(0.25 + 0.0625 + 0.0625), 12);
    expect(renyiEntropy(p, 1 + 1e-7)).toBeCloseTo(renyiEntropy(p, 1), 5);
    expect(renyiEntropy(p, 1, 2)).toBeCloseTo(1.5, 12);
  });
});

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = createProbeRng(seed);
  const g = gaussianVector(n * n, rng);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = g[i * n + j] + g[j * n + i];
  return s;
}

describe('mutualInformation', () => {
  test('0 <= I <= min(S_A, S_B) on random indefinite pairs, for alpha 1 and 2', () => {
    const n = 12;
    for (let t = 0; t < 10; t++) {
      const a = randomSymmetric(n, 100 + t);
      const b = randomSymmetric(n, 200 + t);
      // Correlated pair too: B = A + small noise.
      const c = a.map((x, i) => x + 0.3 * b[i]);
      for (const [x, y] of [
        [a, b],
        [a, c],
      ]) {
        for (const alpha of [1, 2]) {
          const r = mutualInformation(x, y, n, { alpha });
          expect(r.kept).toBe(n);
          expect(r.mutualInformation).toBeGreaterThanOrEqual(-1e-10);
          expect(r.mutualInformation).toBeLessThanOrEqual(Math.min(r.entropyA, r.entropyB) + 1e-10);
        }
      }
    }
  });

  test('I(A; A) = S(A) for block-constant correlation (Hadamard-idempotent) matrices', () => {
    // H = blockdiag(2 * 11^T (3x3), 1 * 11^T (2x2), 5 (1x1)): normalised kernel has 0/1 entries.
    const blocks = [[0, 1, 2], [3, 4], [5]];
    const scales = [2, 1, 5];
    const n = 6;
    const H = new Float64Array(n * n);
    blocks.forEach((b, k) => b.forEach((i) => b.forEach((j) => (H[i * n + j] = scales[k]))));
    const r = mutualInformation(H, H, n);
    // A = blockdiag(11^T / 6): eigenvalues 3/6, 2/6, 1/6.
    const expected = -(0.5 * Math.log(0.5) + (1 / 3) * Math.log(1 / 3) + (1 / 6) * Math.log(1 / 6));
    expect(r.entropyA).toBeCloseTo(expected, 10);
    expect(r.mutualInformation).toBeCloseTo(r.entropyA, 10);
  });

  test('I(A; A) <= S(A) in general (strict for a generic A), and I is symmetric', () => {
    const n = 10;
    const a = randomSymmetric(n, 7);
    const b = randomSymmetric(n, 8);
    const self = mutualInformation(a, a, n);
    expect(self.mutualInformation).toBeLessThan(self.entropyA);
    expect(mutualInformation(a, b, n).mutualInformation).toBeCloseTo(
      mutualInformation(b, a, n).mutualInformation,
      10,
    );
  });

  test('coordinates with a zero diagonal are dropped; |H| is the matrix absolute value', () => {
    const n = 4;
    const a = randomSymmetric(n, 1);
    for (let j = 0; j < n; j++) {
      a[2 * n + j] = 0;
      a[j * n + 2] = 0;
    }
    const r = mutualInformation(a, randomSymmetric(n, 2), n);
    expect(r.kept).toBe(3);
    const abs = matrixAbs([0, 2, 2, 0], 2); // eigenvalues +-2 -> |H| = 2 I
    expect(Array.from(abs).map((x) => Math.round(x * 1e12) / 1e12)).toEqual([2, 0, 0, 2]);
    expect(() => mutualInformation([1], [1, 2], 1)).toThrow(/hB must have n\*n = 1 entries, got 2/);
  });
});
