import * as tf from '@tensorflow/tfjs';
import {
  initBackend,
  nativeSoftmaxActive,
  nativeSoftmaxFor,
  SOFTMAX_GRAD_KERNEL,
  softmaxLastAxis,
} from '../src';
import { NATIVE_SOFTMAX_SOURCE_SHA256 } from '../src/generated/native-softmax';
import { withSwitch } from './helpers/env-switch';
import { dotp, numGrad, relMax } from './helpers/float64';
import { nativeSourceSha256, testMemory } from './helpers/native-source';
import { seeded } from './helpers/seeded';

// Oracles, in float64: softmax by its definition; J g as the derivative of g . softmax(x) by central
// differences; d(u' J g)/dx by central differences of u . (J g) with J g = y (g - g.y) (itself
// checked against the first). On the backend: tf.softmax and its gradient (LOOP_NATIVE_SOFTMAX=0).

function softmax64(x: number[]): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
const jacobianTimes64 = (x: number[], g: number[]): number[] => {
  const y = softmax64(x);
  const gy = dotp(g, y);
  return y.map((yi, i) => yi * ((g[i] as number) - gy));
};
const withSoftmax = <T>(on: boolean, f: () => T): T => withSwitch('LOOP_NATIVE_SOFTMAX', on, f);

describe('native softmax-derivative module (on a memory of its own)', () => {
  it('the formula used below, y (g - g.y), is the derivative of g . softmax(x) (float64)', () => {
    const x = Array.from(seeded(9, 1), (v) => 6 * v);
    const g = Array.from(seeded(9, 2));
    expect(
      relMax(
        jacobianTimes64(x, g),
        numGrad((z) => dotp(g, softmax64(z)), x),
      ),
    ).toBeLessThan(1e-7);
  });

  // rows of 21 (attention at seq 21: vector loop and a 1-element tail), 16 and 3 (tail only)
  it.each([
    [4, 21, false],
    [3, 16, true],
    [5, 3, false],
  ])("%i rows of %i: J g and d(u' J g)/dx against float64 (shared memory: %s)", (rows, n, shared) => {
    const memory = testMemory(shared);
    const kernel = nativeSoftmaxFor(memory);
    expect(kernel).not.toBeNull();
    const heap = new Float32Array(memory.buffer);
    const size = rows * n;
    const x = Array.from(seeded(size, n), (v) => 8 * v);
    // the kernel takes y = softmax(x) (the backend's own Softmax computes it): float32 of the float64 one
    const y = new Float32Array(size);
    for (let r = 0; r < rows; r++) y.set(softmax64(x.slice(r * n, (r + 1) * n)), r * n);
    const g = seeded(size, n + 1);
    const u = seeded(size, n + 2);
    const [Y, G, U, OUT] = [0, 1024, 2048, 3072];
    heap.set(y, Y);
    heap.set(g, G);
    heap.set(u, U);
    for (const mode of [1, 2]) {
      heap.fill(Number.NaN, OUT, OUT + size + 4);
      kernel!(Y * 4, G * 4, U * 4, OUT * 4, rows, n, mode);
      for (let r = 0; r < rows; r++) {
        const row = (a: ArrayLike<number>): number[] => Array.from(a).slice(r * n, (r + 1) * n);
        const [xr, gr, ur] = [row(x), row(g), row(u)];
        const ref =
          mode === 1 ? jacobianTimes64(xr, gr) : numGrad((z) => dotp(ur, jacobianTimes64(z, gr)), xr);
        expect(relMax(heap.subarray(OUT + r * n, OUT + (r + 1) * n), ref)).toBeLessThan(
          mode === 2 ? 1e-4 : 1e-5,
        );
      }
      expect(Number.isNaN(heap[OUT + size] as number)).toBe(true);
    }
  });

  it('embeds a build of the current native/softmax.c (rebuild: node scripts/build-native.mjs softmax)', () => {
    expect(nativeSourceSha256('softmax')).toBe(NATIVE_SOFTMAX_SOURCE_SHA256);
  });
});

describe('fused softmax on the wasm backend', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
  });

  it('is active by default, off with LOOP_NATIVE_SOFTMAX=0, and one kernel forward and backward', async () => {
    expect(nativeSoftmaxActive()).toBe(true);
    expect(withSoftmax(false, () => nativeSoftmaxActive())).toBe(false);
    const x = tf.tensor2d(seeded(12, 3), [3, 4]);
    const w = tf.tensor2d(seeded(12, 4), [3, 4]);
    const info = await tf.profile(() => tf.grad((t) => tf.sum(tf.mul(softmaxLastAxis(t), w)))(x));
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((k) => k.startsWith('LoopSoftmax'))).toEqual(['LoopSoftmax', 'LoopSoftmaxGrad']);
    expect(names).not.toContain('Softmax');
    tf.dispose([x, w]);
  });

  it("forward bitwise tf.softmax, gradient as tf.softmax's, with a causal mask, without leaks", () => {
    const T = 21;
    const mask = tf.tensor2d(
      Array.from({ length: T * T }, (_, k) => (k % T > Math.floor(k / T) ? -1e9 : 0)),
      [T, T],
    );
    const x = tf.add(
      tf.tensor4d(
        seeded(2 * 3 * T * T, 5).map((v) => 6 * v),
        [2, 3, T, T],
      ),
      mask,
    );
    const w = tf.tensor4d(seeded(2 * 3 * T * T, 6), [2, 3, T, T]);
    const before = tf.memory().numTensors;
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const y = softmaxLastAxis(x);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(softmaxLastAxis(t), w)))(x);
        return [y, g].map((t) => t.dataSync() as Float32Array);
      });
    const [yOn, gOn] = run();
    const [yOff, gOff] = withSoftmax(false, run);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(yOn!)).toEqual(Array.from(yOff!));
    expect(relMax(gOn!, Array.from(gOff!))).toBeLessThan(1e-5);
    tf.dispose([mask, x, w]);
  });

  it('refuses a third-order gradient by name, and mismatched shapes', () => {
    const x = tf.tensor2d(seeded(8, 8), [2, 4]);
    const w = tf.tensor2d(seeded(8, 9), [2, 4]);
    const d1 = (t: tf.Tensor): tf.Tensor =>
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(softmaxLastAxis(a), w)))(t);
    const d2 = (t: tf.Tensor): tf.Tensor => tf.grad((a: tf.Tensor) => tf.sum(tf.square(d1(a))))(t);
    expect(() => tf.grad((a: tf.Tensor) => tf.sum(tf.square(d2(a))))(x)).toThrow(/LOOP_NATIVE_SOFTMAX=0/);
    expect(() => tf.engine().runKernel(SOFTMAX_GRAD_KERNEL, { x, g: tf.ones([2, 3]) })).toThrow(
      /shapes differ/,
    );
    tf.dispose([x, w]);
  });
});
