import * as tf from '@tensorflow/tfjs';
import { detach, initBackend, logSoftmax } from '../src';

// detach is a stop-gradient: f(x) = sum(x * detach(x)) has gradient x (not 2x, the gradient of
// sum(x^2)), and second derivatives see it as a constant too.

describe.each(['cpu', 'wasm'] as const)('detach on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => {} });
  });

  it('passes values, blocks gradients of every order, shares the buffer, leaks nothing', () => {
    const x = tf.tensor1d([1.5, -2, 3]);
    const before = tf.memory().numTensors;
    const g = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(y, detach(y))))(x);
    expect(Array.from(g.dataSync())).toEqual([1.5, -2, 3]);
    // second order: d/dy of sum(grad * v) where grad = detach(y) + ... : f = sum(y^2 * detach(y)) / 2,
    // grad = y * detach(y), Hessian = diag(detach(y)) -> H v = y * v
    const v = tf.tensor1d([1, 2, 3]);
    const hv = tf.grad((y: tf.Tensor) =>
      tf.sum(tf.mul(tf.grad((z: tf.Tensor) => tf.mul(0.5, tf.sum(tf.mul(tf.square(z), detach(z)))))(y), v)),
    )(x);
    expect(Array.from(hv.dataSync())).toEqual([1.5, -4, 9]);
    tf.dispose([g, v, hv]);
    expect(tf.memory().numTensors).toBe(before);
    const d = detach(x);
    x.dispose();
    expect(Array.from(d.dataSync())).toEqual([1.5, -2, 3]); // still alive: its own reference
    d.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
  });

  it('logSoftmax equals log(softmax) and its gradient is the one of the closed form', () => {
    const x = tf.tensor2d([0.5, -1, 2, 30, 31, 29.5], [2, 3]);
    const w = tf.tensor2d([1, 2, -1, 0.5, -2, 3], [2, 3]);
    const before = tf.memory().numTensors;
    const ls = logSoftmax(x);
    expect(tf.memory().numTensors).toBe(before + 1); // no intermediate left behind
    const got = ls.arraySync() as number[][];
    ls.dispose();
    const xs = x.arraySync() as number[][];
    xs.forEach((row, i) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, r) => s + Math.exp(r - m), 0));
      row.forEach((r, j) => expect(got[i]![j]).toBeCloseTo(r - lse, 5));
    });
    // d/dx sum(w * logSoftmax(x)) = w - softmax(x) * sum(w) per row
    const g = tf
      .grad((y: tf.Tensor) => tf.sum(tf.mul(w, logSoftmax(y))))(x)
      .arraySync() as number[][];
    const ws = w.arraySync() as number[][];
    xs.forEach((row, i) => {
      const m = Math.max(...row);
      const e = row.map((r) => Math.exp(r - m));
      const z = e.reduce((a, b) => a + b, 0);
      const sw = ws[i]!.reduce((a, b) => a + b, 0);
      row.forEach((_, j) => expect(g[i]![j]).toBeCloseTo(ws[i]![j]! - (e[j]! / z) * sw, 5));
    });
    tf.dispose([x, w]);
  });
});
