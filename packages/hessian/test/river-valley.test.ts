import * as tf from '@tensorflow/tfjs';
import {
  eigSym,
  enableSecondOrderGradients,
  fullHessian,
  gradientAlignment,
  lossGradientAlignment,
  riverValley,
  simulateRiverValley,
} from '../src';
import { createProbeRng, gaussianVector } from '../src/rng';
import { symmetricWithSpectrum } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
  enableSecondOrderGradients();
});

/** A rotated block quadratic: river block of zeros, valley block with the given spectrum. */
function hessianOfRotatedBlockQuadratic(riverDim: number, valley: number[], seed: number): Float64Array {
  const lambdas = [...Array.from({ length: riverDim }, () => 0), ...valley];
  const n = lambdas.length;
  const { A } = symmetricWithSpectrum(lambdas, seed);
  const At = tf.tensor2d(Float32Array.from(A), [n, n]);
  const g = tf.randomNormal([n, 1], 0, 1, 'float32', seed);
  const theta = tf.variable(tf.randomNormal([n, 1], 0, 1, 'float32', seed + 1));
  const loss = (): tf.Scalar =>
    tf.tidy(() =>
      tf.sub<tf.Scalar>(tf.mul(0.5, tf.sum(tf.mul(theta, tf.matMul(At, theta)))), tf.sum(tf.mul(g, theta))),
    );
  const H = fullHessian(loss, [theta]);
  tf.dispose([At, g, theta]);
  return H;
}

test('U-shaped valley: river dimension and condition number recovered from the model Hessian', () => {
  const valley = [2, 2.2, 2.5, 2.8, 3];
  const H = hessianOfRotatedBlockQuadratic(7, valley, 3);
  const s = riverValley(eigSym(H, 12, { vectors: false }).values, { delta: 1 });
  expect(s.riverDim).toBe(7);
  expect(s.valleyDim).toBe(5);
  expect(s.conditionNumber).toBeCloseTo(1.5, 4);
  expect(s.shape).toBe('U');
  expect(s.epsilon).toBeCloseTo(0.03, 5); // default relativeEpsilon 1e-2 * max|lambda|
  expect(s.forceCapacity).toBeCloseTo(
    valley.reduce((a, l) => a + 1 / l, 0),
    4,
  );
});

test('V-shaped valley: large condition number, low-curvature valley directions counted', () => {
  const valley = [0.2, 0.3, 0.5, 4, 20];
  const H = hessianOfRotatedBlockQuadratic(6, valley, 4);
  const s = riverValley(eigSym(H, 11, { vectors: false }).values, { epsilon: 0.05, delta: 1 });
  expect(s.riverDim).toBe(6);
  expect(s.valleyDim).toBe(5);
  expect(s.conditionNumber).toBeCloseTo(100, 1);
  expect(s.shape).toBe('V');
  expect(s.lowCurvatureValleyCount).toBe(3); // below 0.1 * 20
  expect(s.lowCurvatureForceCapacity).toBeCloseTo(1 / 0.2 + 1 / 0.3 + 1 / 0.5, 3);
});

test('river includes negative directions; delta and epsilon validation', () => {
  const s = riverValley([-3, 0, 0.001, 5, 6], { epsilon: 0.01 });
  expect(s.riverDim).toBe(3);
  expect(s.negativeCount).toBe(1);
  expect(s.mostNegative).toBe(-3);
  expect(riverValley([0, 0]).shape).toBe('U');
  expect(() => riverValley([1], { delta: -1 })).toThrow(/delta must be >= 0, got -1/);
  expect(() => riverValley([])).toThrow(/eigenvalues must be non-empty/);
});

describe('simulateRiverValley (Appendix F)', () => {
  const dv = 6;
  const dr = 3;
  const rng = createProbeRng(11);
  const coupling = Array.from({ length: dv }, () => Array.from(gaussianVector(dr, rng), (x) => 0.05 * x));
  const riverGradient = [0.02, -0.01, 0.015];
  const run = (valleyEigenvalues: number[]) =>
    simulateRiverValley({ valleyEigenvalues, coupling, riverGradient, lr: 0.1, steps: 300 });

  test('the dominant cumulative force stays below ||C|| ||v0|| sum 1/lambda (Theorem 1)', () => {
    for (const spectrum of [
      [1, 1.2, 1.4, 1.6, 1.8, 2],
      [0.02, 0.05, 0.1, 1, 3, 8],
    ]) {
      const sim = run(spectrum);
      expect(sim.dominantForce).toBeGreaterThan(0);
      expect(sim.dominantForce).toBeLessThanOrEqual(sim.forceBound);
      expect(sim.trajectory).toHaveLength(301);
    }
  });

  test('more and smaller low-curvature valley eigenvalues -> larger river progress and lower loss (Corollaries 1, 2)', () => {
    // Assumption 1: each spectrum has more low-curvature (< 0.5) eigenvalues and is component-wise
    // smaller (sorted) than the previous one. U-like first, increasingly V-shaped after.
    const spectra = [
      [1, 1.2, 1.4, 1.6, 1.8, 2],
      [0.4, 1.1, 1.3, 1.5, 1.7, 2],
      [0.3, 0.4, 1, 1.2, 1.5, 2],
      [0.1, 0.2, 0.3, 1, 1.4, 2],
      [0.05, 0.1, 0.15, 0.2, 1, 2],
    ];
    const sims = spectra.map(run);
    for (let i = 1; i < sims.length; i++) {
      expect(sims[i].forceBound).toBeGreaterThan(sims[i - 1].forceBound);
      expect(sims[i].final.cumulativeForce).toBeGreaterThan(sims[i - 1].final.cumulativeForce);
      expect(sims[i].final.riverProgress).toBeGreaterThan(sims[i - 1].final.riverProgress);
      expect(sims[i].final.loss).toBeLessThan(sims[i - 1].final.loss);
    }
  });

  test('config is validated', () => {
    expect(() =>
      simulateRiverValley({
        valleyEigenvalues: [1, 0],
        coupling: [[1], [1]],
        riverGradient: [1],
        lr: 0.1,
        steps: 1,
      }),
    ).toThrow(/valleyEigenvalues\[1\] must be > 0, got 0/);
    expect(() =>
      simulateRiverValley({
        valleyEigenvalues: [1],
        coupling: [[1, 2]],
        riverGradient: [1],
        lr: 0.1,
        steps: 1,
      }),
    ).toThrow(/coupling must be 1 x 1/);
  });
});

test('gradientAlignment is the cosine; lossGradientAlignment compares two losses at the same parameters', () => {
  expect(gradientAlignment([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 12);
  expect(gradientAlignment([1, 2], [-2, -4])).toBeCloseTo(-1, 12);
  const w = tf.variable(tf.tensor1d([0.5, -1, 2]));
  // L_A = sum w^2 (grad 2w), L_B = sum w^3 / 3 (grad w^2): cosine by hand.
  const r = lossGradientAlignment(
    () => tf.sum(tf.square(w)),
    () => tf.div(tf.sum(tf.pow(w, 3)), 3),
    [w],
  );
  const a = [1, -2, 4];
  const b = [0.25, 1, 4];
  const cos = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (Math.hypot(...a) * Math.hypot(...b));
  expect(r.cosine).toBeCloseTo(cos, 6);
  w.dispose();
});
