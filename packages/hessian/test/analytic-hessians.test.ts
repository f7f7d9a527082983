/** Full Hessians by double backprop against closed forms (float32 HVPs vs float64 oracles). */
import * as tf from '@tensorflow/tfjs';
import { eigSym, enableSecondOrderGradients, fullHessian } from '../src';
import { createProbeRng, gaussianVector } from '../src/rng';
import { maxAbsDiff, sorted, symmetricWithSpectrum } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
  enableSecondOrderGradients();
});

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

test('quadratic 1/2 x^T A x - b^T x with a chosen spectrum: H = A', () => {
  const lambdas = [-2, -0.5, 0, 0, 0.3, 0.3, 0.3, 1, 1.01, 1.02, 4];
  const n = lambdas.length;
  const { A } = symmetricWithSpectrum(lambdas, 7);
  const At = tf.tensor2d(Float32Array.from(A), [n, n]);
  const b = tf.randomNormal([n, 1], 0, 1, 'float32', 1);
  const x = tf.variable(tf.randomNormal([n, 1], 0, 1, 'float32', 2));
  const loss = (): tf.Scalar =>
    tf.tidy(() => tf.sub<tf.Scalar>(tf.mul(0.5, tf.sum(tf.mul(x, tf.matMul(At, x)))), tf.sum(tf.mul(b, x))));
  let calls = 0;
  const H = fullHessian(loss, [x], { onProgress: () => calls++ });
  expect(calls).toBe(n);
  expect(maxAbsDiff(H, A)).toBeLessThan(1e-5 * maxAbs(A));
  expect(maxAbsDiff(eigSym(H, n).values, sorted(lambdas))).toBeLessThan(2e-6 * 4);
  tf.dispose([At, b, x]);
});

test('mean-MSE linear regression: H = (2/N) X^T X', () => {
  const N = 20;
  const d = 5;
  const Xd = gaussianVector(N * d, createProbeRng(3));
  const X = tf.tensor2d(Float32Array.from(Xd), [N, d]);
  const y = tf.randomNormal([N, 1], 0, 1, 'float32', 4);
  const w = tf.variable(tf.randomNormal([d, 1], 0, 1, 'float32', 5));
  const loss = (): tf.Scalar => tf.tidy(() => tf.mean<tf.Scalar>(tf.square(tf.sub(tf.matMul(X, w), y))));
  const H = fullHessian(loss, [w]);
  const Xf = Float32Array.from(Xd);
  const expected = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++)
      for (let k = 0; k < N; k++) expected[i * d + j] += (2 / N) * Xf[k * d + i] * Xf[k * d + j];
  expect(maxAbsDiff(H, expected)).toBeLessThan(1e-5 * maxAbs(expected));
  tf.dispose([X, y, w]);
});

test('logistic regression (mean BCE with logits, via sigmoid/log): H = (1/N) X^T diag(s(1-s)) X', () => {
  const N = 30;
  const d = 4;
  const Xf = Float32Array.from(gaussianVector(N * d, createProbeRng(6)));
  const X = tf.tensor2d(Xf, [N, d]);
  const labels = tf.tensor2d(
    Float32Array.from({ length: N }, (_, i) => i % 2),
    [N, 1],
  );
  const w = tf.variable(tf.mul<tf.Tensor>(tf.randomNormal([d, 1], 0, 1, 'float32', 7), 0.7));
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const s = tf.sigmoid(tf.matMul(X, w));
      const ll = tf.add(tf.mul(labels, tf.log(s)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, s))));
      return tf.neg(tf.mean<tf.Scalar>(ll));
    });
  const H = fullHessian(loss, [w]);
  const wv = w.dataSync();
  const expected = new Float64Array(d * d);
  for (let k = 0; k < N; k++) {
    let z = 0;
    for (let i = 0; i < d; i++) z += Xf[k * d + i] * wv[i];
    const s = 1 / (1 + Math.exp(-z));
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) expected[i * d + j] += (s * (1 - s) * Xf[k * d + i] * Xf[k * d + j]) / N;
  }
  expect(maxAbsDiff(H, expected)).toBeLessThan(1e-4 * maxAbs(expected));
  tf.dispose([X, labels, w]);
});

test('softmax regression: H = (1/N) sum_k (diag p_k - p_k p_k^T) kron x_k x_k^T, with >= d exact zero eigenvalues', () => {
  const N = 12;
  const d = 3;
  const C = 4;
  const Xf = Float32Array.from(gaussianVector(N * d, createProbeRng(8)));
  const X = tf.tensor2d(Xf, [N, d]);
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: N }, (_, i) => i % C),
      'int32',
    ),
    C,
  );
  // W is C x d (row c = class c's weights), flattened row-major: index c * d + i.
  const W = tf.variable(tf.mul<tf.Tensor>(tf.randomNormal([C, d], 0, 1, 'float32', 9), 0.5));
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const logits = tf.matMul(X, W, false, true);
      const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
      return tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(labels, logp), -1)));
    });
  const n = C * d;
  const H = fullHessian(loss, [W]);
  const Wv = W.dataSync();
  const expected = new Float64Array(n * n);
  for (let k = 0; k < N; k++) {
    const z = Array.from({ length: C }, (_, c) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += Wv[c * d + i] * Xf[k * d + i];
      return s;
    });
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const tot = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / tot);
    for (let c = 0; c < C; c++)
      for (let c2 = 0; c2 < C; c2++) {
        const a = (c === c2 ? p[c] : 0) - p[c] * p[c2];
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++)
            expected[(c * d + i) * n + c2 * d + j] += (a * Xf[k * d + i] * Xf[k * d + j]) / N;
      }
  }
  expect(maxAbsDiff(H, expected)).toBeLessThan(1e-4 * maxAbs(expected));
  const values = eigSym(H, n).values;
  const exactValues = eigSym(expected, n).values;
  expect(maxAbsDiff(values, exactValues)).toBeLessThan(1e-4 * maxAbs(exactValues));
  // Shift invariance (adding u to every class row): exactly d zero eigenvalues in the oracle.
  expect(Array.from(exactValues).filter((v) => Math.abs(v) < 1e-12).length).toBe(d);
  expect(Array.from(values).filter((v) => Math.abs(v) < 1e-5 * maxAbs(values)).length).toBe(d);
  tf.dispose([X, labels, W]);
});
