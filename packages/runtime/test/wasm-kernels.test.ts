import * as tf from '@tensorflow/tfjs';
import {
  initBackend,
  registerWasmKernels,
  unregisterWasmKernels,
  wasmKernelsRegistered,
  wasmProductUsesXnnpack,
} from '../src';
import { seeded } from './helpers/seeded';

// The replacement kernels are checked against brute-force JavaScript (the oracle), and gradients
// through them against tfjs' own wasm kernels.

/** Batched [..., m, k] x [..., k, n] by triple loop in float64. */
function bruteBatchMatMul(
  a: Float32Array,
  b: Float32Array,
  batch: number,
  m: number,
  k: number,
  n: number,
): number[] {
  const out: number[] = [];
  for (let z = 0; z < batch; z++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++)
          s += (a[z * m * k + i * k + p] as number) * (b[z * k * n + p * n + j] as number);
        out.push(s);
      }
  return out;
}

/** Row-major slice by index arithmetic, one element at a time. */
function bruteSlice(x: Float32Array, shape: number[], begin: number[], size: number[]): number[] {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const total = size.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    let off = 0;
    for (let d = size.length - 1; d >= 0; d--) {
      const i = rem % (size[d] as number);
      rem = Math.floor(rem / (size[d] as number));
      off += ((begin[d] as number) + i) * (strides[d] as number);
    }
    out.push(x[off] as number);
  }
  return out;
}

/** Row-major tile by index arithmetic: out[i] = x[i mod shape], one element at a time. */
function bruteTile(x: ArrayLike<number>, shape: number[], reps: number[]): number[] {
  const outShape = shape.map((d, i) => d * (reps[i] as number));
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const total = outShape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    let off = 0;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const i = rem % (outShape[d] as number);
      rem = Math.floor(rem / (outShape[d] as number));
      off += (i % (shape[d] as number)) * (strides[d] as number);
    }
    out.push(x[off] as number);
  }
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
  expect(worst).toBeLessThanOrEqual(tol);
}

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

const cleanups: (() => void)[] = [];
/** Run `f` after the current test, pass or fail. */
function afterThis(f: () => void): void {
  cleanups.push(f);
}
afterEach(() => {
  while (cleanups.length > 0) (cleanups.pop() as () => void)();
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe('wasm kernel replacements', () => {
  it('are registered by initBackend on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmKernelsRegistered()).toBe(true);
  });

  it.each([
    [[2, 3], 5, 4, 6],
    [[7], 1, 3, 2],
    [[3], 9, 1, 4],
    [[2, 2, 2], 4, 6, 3],
    // large enough for one XNNPACK product per entry
    [[3], 16, 20, 17],
    [[2, 2], 24, 16, 24],
  ])('batched matMul %j x (%i x %i x %i) matches a triple loop', (batchShape, m, k, n) => {
    const batch = batchShape.reduce((p, q) => p * q, 1);
    const av = seeded(batch * m * k, 1);
    const bv = seeded(batch * k * n, 2);
    const a = tf.tensor(av, [...batchShape, m, k]);
    const b = tf.tensor(bv, [...batchShape, k, n]);
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const idsBefore = backend.numDataIds();
    const c = tf.matMul(a, b);
    expect(c.shape).toEqual([...batchShape, m, n]);
    expectClose(c.dataSync(), bruteBatchMatMul(av, bv, batch, m, k, n), 1e-5);
    // Only the output is new: the per-entry views it registered are gone again.
    expect(backend.numDataIds()).toBe(idsBefore + 1);
    tf.dispose([a, b, c]);
  });

  it('sends a batched product to XNNPACK per entry only when the entries are large enough', () => {
    // The native kernel takes every such product; this is the rule without it.
    const saved = process.env.LOOP_NATIVE_MATMUL;
    process.env.LOOP_NATIVE_MATMUL = '0';
    afterThis(() => restoreEnv('LOOP_NATIVE_MATMUL', saved));
    expect(wasmProductUsesXnnpack([672, 64], [64, 64])).toBe(true); // batch 1: always XNNPACK
    expect(wasmProductUsesXnnpack([32, 4, 21, 16], [32, 4, 16, 21])).toBe(true); // attention, n_embd 64
    expect(wasmProductUsesXnnpack([64, 8, 8], [64, 8, 8])).toBe(false); // 512 MACs per entry: the loop
    expect(wasmProductUsesXnnpack([64, 8, 64], [64, 64, 8])).toBe(false); // 64 outputs per entry
    expect(wasmProductUsesXnnpack([2, 16, 20], [1, 20, 17])).toBe(false); // broadcast batch
    // transpose flags are read: [16,20]^T x [16,17] is 20 x 16 x 17
    expect(wasmProductUsesXnnpack([3, 16, 20], [3, 16, 17], true, false)).toBe(true);
  });

  it('transposed and broadcast products match explicit transposes and a triple loop', () => {
    const a = tf.tensor(seeded(2 * 3 * 4, 3), [2, 3, 4]);
    const b = tf.tensor(seeded(2 * 5 * 4, 4), [2, 5, 4]);
    const w = tf.tensor(seeded(4 * 6, 5), [1, 4, 6]);
    const viaFlag = tf.matMul(a, b, false, true);
    const viaTranspose = tf.matMul(a, tf.transpose(b, [0, 2, 1]));
    expectClose(viaFlag.dataSync(), viaTranspose.dataSync(), 1e-5);
    const broadcast = tf.matMul(a, w);
    const av = a.dataSync() as Float32Array;
    const wv = w.dataSync() as Float32Array;
    const tiled = new Float32Array(2 * 4 * 6);
    tiled.set(wv, 0);
    tiled.set(wv, 24);
    expectClose(broadcast.dataSync(), bruteBatchMatMul(av, tiled, 2, 3, 4, 6), 1e-5);
    tf.dispose([a, b, w, viaFlag, viaTranspose, broadcast]);
  });

  it.each([
    [4, 5, 3, 2],
    [3, 18, 16, 20],
  ])(
    'gradients through batched products [%i, %i, %i] x [., ., %i] equal those of the stock kernels',
    (z, m, k, n) => {
      const a = tf.tensor(seeded(z * m * k, 6), [z, m, k]);
      const b = tf.tensor(seeded(z * k * n, 7), [z, k, n]);
      const f = (x: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.sum(tf.square(tf.matMul(x, y)));
      const ours = tf.grads(f)([a, b]);
      unregisterWasmKernels();
      try {
        const stock = tf.grads(f)([a, b]);
        expectClose(ours[0]!.dataSync(), stock[0]!.dataSync(), 1e-5);
        expectClose(ours[1]!.dataSync(), stock[1]!.dataSync(), 1e-5);
        tf.dispose(stock);
      } finally {
        registerWasmKernels();
      }
      tf.dispose([a, b, ...ours]);
    },
  );

  it.each([
    [[10], [3], [4]],
    [
      [4, 6],
      [1, 2],
      [2, 3],
    ],
    [
      [4, 6],
      [0, 0],
      [4, 6],
    ],
    [
      [3, 4, 5],
      [1, 0, 2],
      [2, 4, 2],
    ],
    [
      [2, 3, 2, 3, 2],
      [1, 1, 0, 1, 1],
      [1, 2, 2, 2, 1],
    ],
  ])('slice of %j at %j size %j matches index arithmetic', (shape, begin, size) => {
    const n = shape.reduce((p, q) => p * q, 1);
    const xv = seeded(n, 8);
    const x = tf.tensor(xv, shape);
    const s = tf.slice(x, begin, size);
    expect(s.shape).toEqual(size);
    expect(Array.from(s.dataSync())).toEqual(bruteSlice(xv, shape, begin, size).map(Math.fround));
    tf.dispose([x, s]);
  });

  it.each([
    [[5], [3]],
    [[1], [7]],
    [
      [672, 1],
      [1, 64],
    ],
    [
      [1, 6],
      [5, 1],
    ],
    [
      [2, 3],
      [2, 2],
    ],
    [
      [2, 1, 3],
      [3, 4, 1],
    ],
    [
      [2, 2, 1, 3],
      [1, 2, 3, 2],
    ],
    [
      [3, 2],
      [1, 1],
    ],
    [
      [2, 0],
      [2, 3],
    ],
  ])('tile of %j by %j matches index arithmetic', (shape, reps) => {
    const n = shape.reduce((p, q) => p * q, 1);
    const xv = seeded(n, 10);
    const x = tf.tensor(xv, shape);
    const t = tf.tile(x, reps);
    expect(t.shape).toEqual(shape.map((d, i) => d * (reps[i] as number)));
    expect(Array.from(t.dataSync())).toEqual(bruteTile(xv, shape, reps));
    tf.dispose([x, t]);
  });

  it('tiles int32 and bool tensors too', () => {
    const x = tf.tensor2d([1, 2, 3], [3, 1], 'int32');
    expect(Array.from(tf.tile(x, [2, 2]).dataSync())).toEqual(bruteTile([1, 2, 3], [3, 1], [2, 2]));
    const m = tf.tensor1d([true, false], 'bool');
    expect(Array.from(tf.tile(m, [3]).dataSync())).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it('slices int32 and bool tensors too', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    expect(Array.from(tf.slice(x, [0, 1], [2, 2]).dataSync())).toEqual([2, 3, 5, 6]);
    const m = tf.tensor1d([true, false, true, true], 'bool');
    expect(Array.from(tf.slice(m, [1], [2]).dataSync())).toEqual([0, 1]);
  });

  it('split matches index arithmetic along any axis', () => {
    const shape = [3, 8, 2];
    const xv = seeded(48, 9);
    const x = tf.tensor(xv, shape);
    const parts = tf.split(x, [3, 1, 4], 1);
    let start = 0;
    parts.forEach((p, i) => {
      const width = [3, 1, 4][i] as number;
      expect(Array.from(p.dataSync())).toEqual(
        bruteSlice(xv, shape, [0, start, 0], [3, width, 2]).map(Math.fround),
      );
      start += width;
    });
    tf.dispose([x, ...parts]);
  });

  it('clone and same-dtype cast share the buffer but survive disposing the source', () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.tensor1d([1.5, -2, 3]);
    const before = backend.numDataIds();
    const c = tf.clone(x);
    const f = tf.cast(x, 'float32');
    expect(backend.numDataIds()).toBe(before); // no new buffer
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1.5, -2, 3]);
    expect(Array.from(f.dataSync())).toEqual([1.5, -2, 3]);
    const i = tf.cast(c, 'int32'); // a real conversion still converts
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([c, f, i]);
    expect(backend.numDataIds()).toBe(before - 1);
  });
});
