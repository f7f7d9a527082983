import * as tf from '@tensorflow/tfjs';
import {
  assignFlat,
  enableSecondOrderGradients,
  finiteDifferenceHvp,
  flatten,
  gradientVector,
  hvp,
  isSecondOrderEnabled,
  modelHvp,
  softmaxCrossEntropy,
  unflatten,
} from '../src';
import { createProbeRng, gaussianVector } from '../src/rng';
import { geluMlp, gptBlock, relErr, softmaxAttention, type TestModel } from './helpers';

const makers = [softmaxAttention, geluMlp, gptBlock];
let firstOrderBefore: Float64Array[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  // First-order gradients with the stock registry, to compare after enabling.
  firstOrderBefore = makers.map((make) => {
    const m = make();
    const g = gradientVector(m.loss, m.params);
    m.dispose();
    return g;
  });
  enableSecondOrderGradients();
});

test('enableSecondOrderGradients is idempotent', () => {
  expect(isSecondOrderEnabled()).toBe(true);
  expect(enableSecondOrderGradients()).toEqual([]);
  expect(isSecondOrderEnabled()).toBe(true);
});

test('first-order gradients are unchanged by the fix', () => {
  makers.forEach((make, i) => {
    const m = make();
    const g = gradientVector(m.loss, m.params);
    expect(relErr(g, firstOrderBefore[i])).toBeLessThan(1e-6);
    m.dispose();
  });
});

describe.each(makers.map((make) => [make().name, make] as const))(
  'HVP vs central finite differences: %s',
  (_name, make) => {
    let model: TestModel;
    beforeAll(() => {
      model = make();
    });
    afterAll(() => model.dispose());

    test('relative error < 1e-3 for 3 random directions', () => {
      const n = model.params.reduce((s, p) => s + p.size, 0);
      const rng = createProbeRng(7);
      for (let t = 0; t < 3; t++) {
        const v = gaussianVector(n, rng);
        const exact = hvp(model.loss, model.params, v);
        const fd = finiteDifferenceHvp(model.loss, model.params, v);
        expect(relErr(exact, fd)).toBeLessThan(1e-3);
      }
    });

    test('HVPs leak no tensors and leave the parameters untouched', () => {
      const before = flatten(model.params);
      const n = before.length;
      const matvec = modelHvp(model.loss, model.params);
      matvec(gaussianVector(n, createProbeRng(1)));
      finiteDifferenceHvp(model.loss, model.params, gaussianVector(n, createProbeRng(2)));
      const count = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) matvec(gaussianVector(n, createProbeRng(10 + i)));
      finiteDifferenceHvp(model.loss, model.params, gaussianVector(n, createProbeRng(2)));
      expect(tf.memory().numTensors).toBe(count);
      expect(matvec.calls).toBe(4);
      expect(Array.from(flatten(model.params))).toEqual(Array.from(before));
    });
  },
);

test('flatten/unflatten/assignFlat round-trip in parameter order', () => {
  const a = tf.variable(
    tf.tensor2d([
      [1, 2],
      [3, 4],
    ]),
  );
  const b = tf.variable(tf.tensor1d([5, 6, 7]));
  expect(Array.from(flatten([a, b]))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  const parts = unflatten([7, 6, 5, 4, 3, 2, 1], [a, b]);
  expect(parts.map((p) => p.shape)).toEqual([[2, 2], [3]]);
  assignFlat([a, b], [7, 6, 5, 4, 3, 2, 1]);
  expect(Array.from(a.dataSync())).toEqual([7, 6, 5, 4]);
  expect(() => unflatten([1, 2], [a, b])).toThrow(/parameter count 7/);
  tf.dispose([a, b, ...parts]);
});

test('softmaxCrossEntropy matches tf.losses and is twice differentiable', () => {
  const w = tf.variable(tf.randomNormal([3, 4], 0, 1, 'float32', 5));
  const x = tf.randomNormal([5, 3], 0, 1, 'float32', 6);
  const labels = tf.tensor1d([0, 1, 2, 3, 1], 'int32');
  const ours = softmaxCrossEntropy(tf.matMul(x, w), labels).dataSync()[0];
  const ref = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 4), tf.matMul(x, w)).dataSync()[0];
  expect(ours).toBeCloseTo(ref, 5);
  const loss = (): tf.Scalar => softmaxCrossEntropy(tf.matMul(x, w), labels);
  const v = gaussianVector(12, createProbeRng(4));
  expect(relErr(hvp(loss, [w], v), finiteDifferenceHvp(loss, [w], v))).toBeLessThan(1e-3);
  tf.dispose([w, x, labels]);
});

test('bad inputs name the argument', () => {
  const w = tf.variable(tf.zeros([2]));
  expect(() => hvp(() => tf.sum(w), [w], [1, 2, 3])).toThrow(/v must have length 2, got 3/);
  expect(() => hvp(() => tf.sum(w), [], [])).toThrow(/params must be a non-empty array/);
  w.dispose();
});

test('closed form: H v of a quadratic, with an unused and a linear-only parameter', () => {
  // L = a^T A a / 2 + b . c0 (b enters linearly, u not at all): H = blockdiag(A, 0, 0).
  const A = [
    [2, -1, 0],
    [-1, 3, 1],
    [0, 1, 4],
  ];
  const a = tf.variable(tf.tensor1d([0.3, -1.2, 0.7]));
  const b = tf.variable(tf.tensor1d([1, 2]));
  const u = tf.variable(tf.tensor1d([5]));
  const At = tf.tensor2d(A);
  const c0 = tf.tensor1d([0.5, -2]);
  const loss = (): tf.Scalar =>
    tf.add(
      tf.mul(0.5, tf.sum(tf.mul(a, tf.squeeze(tf.matMul(At, tf.reshape(a, [3, 1])))))),
      tf.sum(tf.mul(b, c0)),
    );
  const v = [1, -2, 0.5, 3, -1, 7];
  const want = [...A.map((row) => row.reduce((s, x, j) => s + x * (v[j] as number), 0)), 0, 0, 0];
  const got = Array.from(hvp(loss, [a, b, u], v));
  got.forEach((x, i) => expect(x).toBeCloseTo(want[i] as number, 5));
  // only the linear and unused parameters: the Hessian block is exactly zero
  expect(Array.from(hvp(() => tf.sum(tf.mul(b, c0)), [b, u], [1, 1, 1]))).toEqual([0, 0, 0]);
  tf.dispose([a, b, u, At, c0]);
});
