import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { enableSecondOrderGradients, HessianTracker, matrixEntropy, type HessianSnapshot } from '../src';
import { symmetricWithSpectrum } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
  enableSecondOrderGradients();
});

/** 1/2 theta^T A theta with a swappable A: its Hessian spectrum is known exactly at every epoch. */
function quadraticModel(n: number) {
  const theta = tf.variable(tf.randomNormal([n, 1], 0, 1, 'float32', 1));
  let A: tf.Tensor2D | null = null;
  return {
    theta,
    setSpectrum(lambdas: number[], seed: number) {
      A?.dispose();
      A = tf.tensor2d(Float32Array.from(symmetricWithSpectrum(lambdas, seed).A), [n, n]);
    },
    loss: (): tf.Scalar => tf.tidy(() => tf.mul<tf.Scalar>(0.5, tf.sum(tf.mul(theta, tf.matMul(A!, theta))))),
    dispose() {
      tf.dispose([theta, A!]);
    },
  };
}

test('full mode: exact spectrum, entropy, trace, top-k, river/valley, MI with the previous snapshot, JSONL', () => {
  const n = 10;
  const lambdas = [0, 0, 0, 0.5, 1, 1.5, 2, 3, 4, 8];
  const m = quadraticModel(n);
  m.setSpectrum(lambdas, 3);
  const dir = mkdtempSync(join(tmpdir(), 'hessian-tracker-'));
  const path = join(dir, 'sub', 'hessian.jsonl');
  const seen: HessianSnapshot[] = [];
  const tracker = new HessianTracker({
    lossFn: m.loss,
    params: [m.theta],
    every: 2,
    topK: 3,
    path,
    sink: (s) => seen.push(s),
  });
  expect(tracker.method).toBe('full');
  expect(tracker.onEpochEnd(1)).toBeNull();
  const first = tracker.onEpochEnd(2)!;
  expect(first.hvps).toBe(n);
  expect(first.entropy.entropy).toBeCloseTo(matrixEntropy(lambdas).entropy, 5);
  expect(first.trace).toBeCloseTo(20, 4);
  expect(first.topEigenvalues.map((x) => Number(x.toFixed(4)))).toEqual([8, 4, 3]);
  expect(first.riverValley.riverDim).toBe(3);
  expect(first.riverValley.conditionNumber).toBeCloseTo(16, 3);
  expect(first.mutualInformation).toBeNull();
  // Same Hessian again: I(H; H) equals the entropy of its normalised kernel at most.
  const second = tracker.onEpochEnd(4)!;
  expect(second.mutualInformation).not.toBeNull();
  expect(second.mutualInformation!.mutualInformation).toBeGreaterThan(0);
  expect(second.mutualInformation!.mutualInformation).toBeLessThanOrEqual(
    second.mutualInformation!.entropyA + 1e-9,
  );
  // A new, unrelated Hessian shares less with the previous one than the previous one with itself.
  m.setSpectrum(lambdas, 99);
  const third = tracker.onEpochEnd(6)!;
  expect(third.mutualInformation!.mutualInformation).toBeLessThan(
    second.mutualInformation!.mutualInformation,
  );
  const lines = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as HessianSnapshot);
  expect(lines.map((l) => l.epoch)).toEqual([2, 4, 6]);
  expect((lines[0].spectrum as { eigenvalues: number[] }).eigenvalues).toHaveLength(n);
  expect(readdirSync(join(dir, 'sub'))).toEqual(['hessian.jsonl']); // no temp file left behind
  expect(seen).toHaveLength(3);
  rmSync(dir, { recursive: true, force: true });
  m.dispose();
});

test('SLQ mode within an HVP budget approximates entropy and trace', () => {
  const n = 80;
  const lambdas = Array.from({ length: n }, (_, i) => (i < 30 ? 0 : 0.2 + (i - 30) * 0.1));
  const m = quadraticModel(n);
  m.setSpectrum(lambdas, 5);
  const tracker = new HessianTracker({
    lossFn: m.loss,
    params: [m.theta],
    maxHvps: 75,
    slq: { steps: 25, probes: 10 },
    includeSpectrum: false,
  });
  expect(tracker.method).toBe('slq');
  const s = tracker.snapshot(0);
  expect(s.method).toBe('slq');
  expect(s.hvps).toBeLessThanOrEqual(75);
  expect(s.hvps).toBe(75); // 25 steps x 3 probes
  expect(Math.abs(s.entropy.entropy - matrixEntropy(lambdas).entropy)).toBeLessThan(0.1);
  const trace = lambdas.reduce((a, b) => a + b, 0);
  expect(Math.abs(s.trace - trace)).toBeLessThan(Math.max(4 * s.traceStdErr, 0.15 * trace));
  expect(s.topEigenvalues[0]).toBeCloseTo(lambdas[n - 1], 3);
  expect(Math.abs(s.riverValley.riverDim - 30)).toBeLessThanOrEqual(6);
  expect(s.spectrum).toBeUndefined();
  m.dispose();
});

test('mutualInformation: false skips the MI but keeps the exact spectrum metrics', () => {
  const lambdas = [0, 1, 2, 4];
  const m = quadraticModel(4);
  m.setSpectrum(lambdas, 8);
  const tracker = new HessianTracker({ lossFn: m.loss, params: [m.theta], mutualInformation: false });
  tracker.snapshot(0);
  const s = tracker.snapshot(1);
  expect(s.mutualInformation).toBeNull();
  expect(s.entropy.entropy).toBeCloseTo(matrixEntropy(lambdas).entropy, 5);
  expect(s.trace).toBeCloseTo(7, 4);
  m.dispose();
});

test('options are validated', () => {
  const w = tf.variable(tf.zeros([3]));
  const loss = (): tf.Scalar => tf.sum(tf.square(w));
  expect(() => new HessianTracker({ lossFn: loss, params: [w], every: 0 })).toThrow(
    /every must be a positive integer, got 0/,
  );
  expect(() => new HessianTracker({ lossFn: loss, params: [w], method: 'full', maxHvps: 2 })).toThrow(
    /needs 3 HVPs but maxHvps is 2/,
  );
  w.dispose();
});
