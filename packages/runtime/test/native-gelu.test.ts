import * as tf from '@tensorflow/tfjs';
import { GELU_DERIVATIVE_KERNEL, geluTanh, initBackend, nativeGeluActive, nativeGeluFor } from '../src';
import { NATIVE_GELU_SOURCE_SHA256 } from '../src/generated/native-gelu';
import { withSwitch } from './helpers/env-switch';
import { nativeSourceSha256, testMemory } from './helpers/native-source';
import { seeded } from './helpers/seeded';

// Oracles: GPT-2's formula 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in float64, its
// derivatives by central differences of that float64 function (step 1e-3: truncation ~1e-7), and
// the same model with GELU written as tfjs ops (LOOP_NATIVE_GELU=0) for gradients and HVPs.

const C = Math.sqrt(2 / Math.PI);
const gelu64 = (x: number): number => 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x ** 3)));
/** The k-th derivative of gelu64 at x by central differences of the (k-1)-th. */
function derivative(k: number, x: number, h = 1e-3): number {
  if (k === 0) return gelu64(x);
  return (derivative(k - 1, x + h, h) - derivative(k - 1, x - h, h)) / (2 * h);
}

/** Largest error relative to max(1, |reference|). */
function worst(got: ArrayLike<number>, ref: (i: number) => number): number {
  let w = 0;
  for (let i = 0; i < got.length; i++) {
    const r = ref(i);
    w = Math.max(w, Math.abs((got[i] as number) - r) / Math.max(1, Math.abs(r)));
  }
  return w;
}

const withGelu = <T>(on: boolean, f: () => T): T => withSwitch('LOOP_NATIVE_GELU', on, f);

// -12..12 in steps of 0.01 plus the far tails (exp underflow), zeros and a tiny value: 2,411 points,
// so every tail length (n mod 4) is exercised by the slices below.
const POINTS = [
  ...Array.from({ length: 2401 }, (_, i) => (i - 1200) / 100),
  -100,
  -87.5,
  -60,
  -30,
  30,
  100,
  0,
  -0,
  1e-30,
  -1e-30,
];

describe('native GELU module (on a memory of its own)', () => {
  it.each([false, true])('matches the float64 formula and its derivatives (shared memory: %s)', (shared) => {
    const memory = testMemory(shared);
    const kernel = nativeGeluFor(memory);
    expect(kernel).not.toBeNull();
    const heap = new Float32Array(memory.buffer);
    const n = POINTS.length;
    const dy = seeded(n, 7).map((v) => 4 * v); // in [-2, 2)
    heap.set(POINTS, 0);
    heap.set(dy, 4096);
    const x = heap.slice(0, n); // the float32 inputs the kernel sees
    const tol = [2e-6, 2e-6, 2e-6, 2e-5]; // order 3: central differences of differences (~1e-6 each)
    for (const order of [0, 1, 2, 3]) {
      heap.fill(Number.NaN, 8192, 8192 + n + 8);
      kernel!(0, 4096 * 4, 8192 * 4, n, order);
      const out = heap.slice(8192, 8192 + n);
      const g = (i: number): number => (order === 0 ? 1 : (dy[i] as number));
      expect(worst(out, (i) => g(i) * derivative(order, x[i] as number))).toBeLessThan(tol[order] as number);
      expect(Number.isNaN(heap[8192 + n] as number)).toBe(true); // nothing written past the end
    }
  });

  it('handles every tail length (n mod 4) exactly like the vector body', () => {
    const memory = testMemory();
    const kernel = nativeGeluFor(memory)!;
    const heap = new Float32Array(memory.buffer);
    const x = seeded(16, 3).map((v) => 8 * v);
    heap.set(x, 0);
    kernel(0, 0, 4096 * 4, 16, 0);
    const whole = heap.slice(4096, 4096 + 16);
    for (const n of [1, 2, 3, 5, 6, 7]) {
      heap.fill(Number.NaN, 8192, 8192 + 16);
      kernel(0, 0, 8192 * 4, n, 0);
      expect(Array.from(heap.slice(8192, 8192 + n))).toEqual(Array.from(whole.slice(0, n)));
      expect(Number.isNaN(heap[8192 + n] as number)).toBe(true);
    }
  });

  it('gives 0 at 0, 0 far left, x far right; derivatives 1 / 0 far right / left', () => {
    const memory = testMemory();
    const kernel = nativeGeluFor(memory)!;
    const heap = new Float32Array(memory.buffer);
    heap.set([0, -1e4, 1e4, -3e38, 3e38], 0);
    kernel(0, 0, 4096, 5, 0);
    expect(Array.from(heap.slice(1024, 1024 + 5))).toEqual([0, -0, 1e4, -0, Math.fround(3e38)]);
    heap.set([-1e6, -1e4, 1e4, 1e6], 0);
    heap.set([1, 1, 1, 1], 64);
    for (const order of [1, 2, 3]) {
      kernel(0, 256, 4096, 4, order);
      const far = order === 1 ? [0, 0, 1, 1] : [0, 0, 0, 0];
      expect(Array.from(heap.slice(1024, 1028)).map((v) => Math.abs(v))).toEqual(far);
    }
  });

  it('embeds a build of the current native/gelu.c (rebuild: node scripts/build-native.mjs gelu)', () => {
    expect(nativeSourceSha256('gelu')).toBe(NATIVE_GELU_SOURCE_SHA256);
  });
});

describe('fused GELU on the wasm backend', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
  });

  it('is active by default, off with LOOP_NATIVE_GELU=0, and one kernel per order', async () => {
    expect(nativeGeluActive()).toBe(true);
    expect(withGelu(false, () => nativeGeluActive())).toBe(false);
    const x = tf.tensor1d([0.5, -1, 2]);
    const fused = await tf.profile(() => tf.grad((t) => geluTanh(t).sum())(x));
    const names = fused.kernels.map((k) => k.name);
    expect(names.filter((n) => n.startsWith('LoopGelu'))).toEqual(['LoopGelu', 'LoopGeluDerivative']);
    expect(names).not.toContain('Sigmoid');
    const ops = await tf.profile(() => withGelu(false, () => tf.grad((t) => geluTanh(t).sum())(x)));
    expect(ops.kernels.map((k) => k.name)).toContain('Sigmoid');
    x.dispose();
  });

  it("has the formula's first, second and third derivatives under tf.grad, without leaks", () => {
    const x = tf.tensor1d(POINTS);
    const xs = x.dataSync();
    const before = tf.memory().numTensors;
    const f = (t: tf.Tensor): tf.Scalar => geluTanh(t).sum();
    const d1 = tf.grad(f);
    const d2 = tf.grad((t) => d1(t).sum());
    const d3 = tf.grad((t) => d2(t).sum());
    const got = [d1(x), d2(x), d3(x)].map((t) => {
      const v = t.dataSync();
      t.dispose();
      return v;
    });
    expect(tf.memory().numTensors).toBe(before);
    got.forEach((v, k) => {
      expect(worst(v, (i) => derivative(k + 1, xs[i] as number))).toBeLessThan(k < 2 ? 2e-6 : 2e-5);
    });
    // a fourth order is refused by name, not computed wrongly
    expect(() => tf.grad((t) => d3(t).sum())(x)).toThrow(/LOOP_NATIVE_GELU=0/);
    x.dispose();
  });

  it('rejects a derivative order outside 1..3 and mismatched shapes', () => {
    const x = tf.ones([4]);
    for (const order of [0, 4, 1.5]) {
      expect(() => tf.engine().runKernel(GELU_DERIVATIVE_KERNEL, { x, dy: x }, { order })).toThrow(
        /attrs\.order must be 1, 2 or 3/,
      );
    }
    expect(() =>
      tf.engine().runKernel(GELU_DERIVATIVE_KERNEL, { x, dy: tf.ones([3]) }, { order: 1 }),
    ).toThrow(/differ/);
    x.dispose();
  });
});
