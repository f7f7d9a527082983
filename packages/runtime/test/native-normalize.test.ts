import * as tf from '@tensorflow/tfjs';
import {
  initBackend,
  layerNorm,
  nativeNormalizeActive,
  nativeNormalizeFor,
  NORMALIZE_GRAD_KERNEL,
} from '../src';
import { NATIVE_NORMALIZE_SOURCE_SHA256 } from '../src/generated/native-normalize';
import { withSwitch } from './helpers/env-switch';
import { dotp, numGrad, relMax } from './helpers/float64';
import { nativeSourceSha256, testMemory } from './helpers/native-source';
import { seeded } from './helpers/seeded';

// Oracles, all in float64: the normalisation by its definition; its gradient J g as the derivative
// of g . xh(x) by central differences; the second-order term d(u' J g)/dx by central differences of
// u . (J g) with J g from the textbook LayerNorm backward formula (itself checked against the
// first). On the backend: LayerNorm written as tfjs ops (LOOP_NATIVE_LAYERNORM=0).

const EPS = 1e-5;

function normalize64(x: number[]): number[] {
  const n = x.length;
  const mu = x.reduce((a, b) => a + b, 0) / n;
  const v = x.reduce((a, b) => a + (b - mu) ** 2, 0) / n;
  return x.map((xi) => (xi - mu) / Math.sqrt(v + EPS));
}

/** The standard LayerNorm backward: (g - mean(g) - xh mean(g xh)) / s. */
function backward64(x: number[], g: number[]): number[] {
  const n = x.length;
  const mu = x.reduce((a, b) => a + b, 0) / n;
  const s = Math.sqrt(x.reduce((a, b) => a + (b - mu) ** 2, 0) / n + EPS);
  const xh = normalize64(x);
  const gbar = g.reduce((a, b) => a + b, 0) / n;
  const gx = dotp(g, xh) / n;
  return g.map((gi, i) => (gi - gbar - (xh[i] as number) * gx) / s);
}

const withNormalize = <T>(on: boolean, f: () => T): T => withSwitch('LOOP_NATIVE_LAYERNORM', on, f);

describe('native normalisation module (on a memory of its own)', () => {
  it('the textbook backward formula used below is the derivative of g . xh (float64)', () => {
    const x = Array.from(seeded(9, 1), (v) => 3 * v);
    const g = Array.from(seeded(9, 2));
    expect(
      relMax(
        backward64(x, g),
        numGrad((y) => dotp(g, normalize64(y)), x),
      ),
    ).toBeLessThan(1e-7);
  });

  // row lengths: a multiple of 4 (the vector loop only), and 7 (vector loop and a 3-element tail)
  it.each([
    [3, 16, false],
    [4, 7, false],
    [2, 64, true],
  ])("%i rows of %i: xh, J g and d(u' J g)/dx against float64 (shared memory: %s)", (rows, n, shared) => {
    const memory = testMemory(shared);
    const kernel = nativeNormalizeFor(memory);
    expect(kernel).not.toBeNull();
    const heap = new Float32Array(memory.buffer);
    const size = rows * n;
    // rows with an offset and a scale, so the mean and variance matter
    const x = Float32Array.from(seeded(size, n), (v, i) => 2 * v + Math.floor(i / n) - 1);
    const g = seeded(size, n + 1);
    const u = seeded(size, n + 2);
    const [X, G, U, OUT] = [0, 1024, 2048, 3072];
    heap.set(x, X);
    heap.set(g, G);
    heap.set(u, U);
    for (const mode of [0, 1, 2]) {
      heap.fill(Number.NaN, OUT, OUT + size + 4);
      kernel!(X * 4, G * 4, U * 4, OUT * 4, rows, n, EPS, mode);
      for (let r = 0; r < rows; r++) {
        const row = (a: Float32Array): number[] => Array.from(a.subarray(r * n, (r + 1) * n));
        const [xr, gr, ur] = [row(x), row(g), row(u)];
        const ref =
          mode === 0
            ? normalize64(xr)
            : mode === 1
              ? backward64(xr, gr)
              : numGrad((y) => dotp(ur, backward64(y, gr)), xr);
        const got = heap.subarray(OUT + r * n, OUT + (r + 1) * n);
        expect(relMax(got, ref)).toBeLessThan(mode === 2 ? 1e-4 : 1e-5);
      }
      expect(Number.isNaN(heap[OUT + size] as number)).toBe(true);
    }
  });

  it('embeds a build of the current native/normalize.c (rebuild: node scripts/build-native.mjs normalize)', () => {
    expect(nativeSourceSha256('normalize')).toBe(NATIVE_NORMALIZE_SOURCE_SHA256);
  });
});

describe('fused LayerNorm on the wasm backend', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
  });

  it('is active by default, off with LOOP_NATIVE_LAYERNORM=0, and one kernel forward and backward', async () => {
    expect(nativeNormalizeActive()).toBe(true);
    expect(withNormalize(false, () => nativeNormalizeActive())).toBe(false);
    const x = tf.tensor2d(seeded(12, 3), [3, 4]);
    const gain = tf.ones([4]);
    const bias = tf.zeros([4]);
    const info = await tf.profile(() => tf.grad((t) => layerNorm(t, gain, bias).square().sum())(x));
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((k) => k.startsWith('LoopNormalize'))).toEqual([
      'LoopNormalize',
      'LoopNormalizeGrad',
    ]);
    expect(names).not.toContain('Rsqrt');
    tf.dispose([x, gain, bias]);
  });

  it('agrees with LayerNorm as tfjs ops: values and gradients in x, gain and bias, without leaks', () => {
    const x = tf.tensor3d(
      seeded(2 * 5 * 24, 4).map((v) => 4 * v + 1),
      [2, 5, 24],
    );
    const gain = tf.tensor1d(seeded(24, 5).map((v) => 1 + v));
    const bias = tf.tensor1d(seeded(24, 6));
    const w = tf.tensor3d(seeded(2 * 5 * 24, 7), [2, 5, 24]);
    const before = tf.memory().numTensors;
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(layerNorm(a, b, c), w));
        const y = layerNorm(x, gain, bias);
        const grads = tf.grads(f)([x, gain, bias]);
        return [y, ...grads].map((t) => t.dataSync() as Float32Array);
      });
    const on = run();
    const off = withNormalize(false, run);
    expect(tf.memory().numTensors).toBe(before);
    on.forEach((v, i) => expect(relMax(v, Array.from(off[i]!))).toBeLessThan(1e-5));
    tf.dispose([x, gain, bias, w]);
  });

  it('refuses a third-order gradient by name, and mismatched shapes', () => {
    const x = tf.tensor2d(seeded(8, 8), [2, 4]);
    const g = tf.tensor2d(seeded(8, 9), [2, 4]);
    const d1 = (t: tf.Tensor): tf.Tensor =>
      tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(layerNorm(a, tf.onesLike(a.sum(0)), tf.zerosLike(a.sum(0))), g)),
      )(t);
    const d2 = (t: tf.Tensor): tf.Tensor => tf.grad((a: tf.Tensor) => tf.sum(tf.square(d1(a))))(t);
    expect(() => tf.grad((a: tf.Tensor) => tf.sum(tf.square(d2(a))))(x)).toThrow(/LOOP_NATIVE_LAYERNORM=0/);
    expect(() =>
      tf.engine().runKernel(NORMALIZE_GRAD_KERNEL, { x, g: tf.ones([2, 3]) }, { eps: EPS }),
    ).toThrow(/shapes differ/);
    tf.dispose([x, g]);
  });
});
