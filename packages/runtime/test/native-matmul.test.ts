import * as tf from '@tensorflow/tfjs';
import {
  fusedBuildFuses,
  initBackend,
  nativeMatMulActive,
  nativeMatMulFor,
  nativeMatMulFused,
  nativeProductPlan,
  nativeScratchFloats,
  NATIVE_PANEL_FLOATS,
  wasmProductTakesFlags,
  type NativeProductPlan,
} from '../src';
import { withSwitch } from './helpers/env-switch';
import { cpuFusesMultiplyAdd, productByLoop, roundedSum32, sequentialProduct } from './helpers/float32-sums';
import { nativeSourceSha256, testMemory } from './helpers/native-source';
import { seeded } from './helpers/seeded';
import { NATIVE_MATMUL_SOURCE_SHA256 } from '../src/generated/native-matmul';
import { relaxedSimdSupported } from '../src/relaxed-simd';

// Oracles: a float64 triple loop (values); float32 sums over k in order, emulated bit for bit in
// float64 (helpers/float32-sums.ts): with a rounded product per step for the plain build, fused
// for the fused one; and tfjs' own XNNPACK products with the native kernel switched off (bitwise
// the plain build: both add up each output over k in order with separate multiply and add).

/** op(A[e]) op(B[e]) by triple loop in float64; strides 0 broadcast. */
function brute(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  p: Omit<NativeProductPlan, 'outShape'>,
): Float64Array {
  return productByLoop(a, b, p, (acc, av, bv) => acc + av * bv, new Float64Array(p.batch * p.m * p.n));
}

function maxDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  return worst;
}

const withNative = <T>(on: boolean, f: () => T): T => withSwitch('LOOP_NATIVE_MATMUL', on, f);
const withFused = <T>(on: boolean, f: () => T): T => withSwitch('LOOP_NATIVE_FMA', on, f);
/** Whether the fused build's products are expected fused here (undefined: unknown CPU). */
const fuses = cpuFusesMultiplyAdd();

describe('native product module (on a memory of its own)', () => {
  it.each([false, true])('runs on a plain and a shared memory (shared: %s)', (shared) => {
    const memory = testMemory(shared);
    const kernel = nativeMatMulFor(memory);
    expect(kernel).not.toBeNull();
    const [m, k, n] = [7, 5, 11];
    const heap = new Float32Array(memory.buffer);
    const a = seeded(m * k, 1);
    const b = seeded(k * n, 2);
    heap.set(a, 0);
    heap.set(b, 100);
    heap.fill(Number.NaN, 200, 200 + m * n + 8);
    // scratch at float 1024 (the packed panel block), NaN sentinels right after it
    const scratch = nativeScratchFloats({ m, k, n, transA: false, transB: false });
    expect(scratch).toBe(NATIVE_PANEL_FLOATS);
    heap.fill(Number.NaN, 1024 + scratch, 1024 + scratch + 64);
    kernel!(0, 400, 800, 1, m, k, n, 0, 0, 0, 0, 4096);
    const c = heap.slice(200, 200 + m * n);
    expect(
      maxDiff(c, brute(a, b, { batch: 1, m, k, n, strideA: 0, strideB: 0, transA: false, transB: false })),
    ).toBeLessThan(1e-6);
    // nothing written past the output or the scratch
    expect(Number.isNaN(heap[200 + m * n] as number)).toBe(true);
    expect(heap.subarray(1024 + scratch, 1024 + scratch + 64).every(Number.isNaN)).toBe(true);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('writes only within nativeScratchFloats (transposed %s / %s, k across blocks)', (tA, tB) => {
    const memory = testMemory(false, 4);
    const kernel = nativeMatMulFor(memory)!;
    const [m, k, n] = [9, 600, 20];
    const heap = new Float32Array(memory.buffer);
    const a = seeded(m * k, 15);
    const b = seeded(k * n, 16);
    const [aAt, bAt, cAt, sAt] = [0, m * k, m * k + k * n, m * k + k * n + m * n];
    heap.set(a, aAt);
    heap.set(b, bAt);
    const size = nativeScratchFloats({ m, k, n, transA: tA, transB: tB });
    heap.fill(Number.NaN, sAt + size, sAt + size + 256);
    kernel(aAt * 4, bAt * 4, cAt * 4, 1, m, k, n, 0, 0, tA ? 1 : 0, tB ? 1 : 0, sAt * 4);
    const want = brute(a, b, { batch: 1, m, k, n, strideA: 0, strideB: 0, transA: tA, transB: tB });
    expect(maxDiff(heap.subarray(cAt, cAt + m * n), want)).toBeLessThan(1e-4);
    expect(heap.subarray(sAt + size, sAt + size + 256).every(Number.isNaN)).toBe(true);
  });

  it('is instantiated once per memory and build', () => {
    const memory = testMemory();
    expect(nativeMatMulFor(memory)).toBe(nativeMatMulFor(memory));
    expect(nativeMatMulFor(memory, true)).toBe(nativeMatMulFor(memory, true));
    expect(nativeMatMulFor(memory, true)).not.toBe(nativeMatMulFor(memory));
  });

  it.each([false, true])(
    'fused and plain builds: bitwise float32 sums over k in order (shared memory: %s)',
    (shared) => {
      const memory = testMemory(shared, 4);
      const heap = new Float32Array(memory.buffer);
      // rows, columns and k across the 6 x 8 tile's tails and the 256-step k blocks; transposed B
      const [m, k, n] = [13, 600, 19];
      const p = { batch: 1, m, k, n, strideA: 0, strideB: 0, transA: false, transB: true };
      const a = seeded(m * k, 21);
      const b = seeded(k * n, 22);
      const [aAt, bAt, cAt, sAt] = [0, m * k, m * k + k * n, m * k + k * n + m * n];
      heap.set(a, aAt);
      heap.set(b, bAt);
      const run = (fused: boolean): number[] => {
        nativeMatMulFor(memory, fused)!(aAt * 4, bAt * 4, cAt * 4, 1, m, k, n, 0, 0, 0, 1, sAt * 4);
        return Array.from(heap.subarray(cAt, cAt + m * n));
      };
      expect(run(false)).toEqual(Array.from(sequentialProduct(a, b, p, false)));
      const fused = run(true);
      if (fuses !== undefined) expect(fused).toEqual(Array.from(sequentialProduct(a, b, p, fuses)));
      // the two builds differ where the CPU fuses (one rounding less per step)
      if (fuses === true) expect(fused).not.toEqual(run(false));
    },
  );

  it('float32 sum oracle: one rounding, ties to even, also where the float64 sum is rounded', () => {
    expect(roundedSum32(1, 2 ** -24)).toBe(1); // a tie: to even
    expect(roundedSum32(1 + 2 ** -23, 2 ** -24)).toBe(1 + 2 ** -22); // a tie: to even, upwards
    // float64 rounds 1 + 2^-24 + 2^-60 to the tie 1 + 2^-24; the exact sum lies above it
    expect(Math.fround(1 + (2 ** -24 + 2 ** -60))).toBe(1);
    expect(roundedSum32(1, 2 ** -24 + 2 ** -60)).toBe(1 + 2 ** -23);
    expect(roundedSum32(-1, -(2 ** -24 + 2 ** -60))).toBe(-(1 + 2 ** -23));
    expect(roundedSum32(1, 2 ** -24 - 2 ** -60)).toBe(1);
    expect(roundedSum32(0.5, 0.25)).toBe(0.75);
  });

  it('embeds a build of the current native/matmul.c (rebuild: node scripts/build-native.mjs)', () => {
    expect(nativeSourceSha256('matmul')).toBe(NATIVE_MATMUL_SOURCE_SHA256);
  });
});

describe('nativeProductPlan', () => {
  it('maps equal and broadcast batch shapes, with transpose flags', () => {
    expect(nativeProductPlan([2, 3, 4, 5], [2, 3, 5, 6])).toMatchObject({
      batch: 6,
      m: 4,
      k: 5,
      n: 6,
      strideA: 20,
      strideB: 30,
      outShape: [2, 3, 4, 6],
    });
    expect(nativeProductPlan([8, 4, 5], [5, 6])).toMatchObject({
      batch: 8,
      strideA: 20,
      strideB: 0,
      outShape: [8, 4, 6],
    });
    expect(nativeProductPlan([1, 4, 5], [3, 5, 6])).toMatchObject({
      batch: 3,
      strideA: 0,
      strideB: 30,
      outShape: [3, 4, 6],
    });
    expect(nativeProductPlan([5, 4], [6, 5], true, true)).toMatchObject({
      m: 4,
      k: 5,
      n: 6,
      transA: true,
      transB: true,
    });
  });

  it('declines mismatched inner sizes and mixed broadcasting', () => {
    expect(nativeProductPlan([4, 5], [4, 6])).toBeNull();
    expect(nativeProductPlan([2, 1, 4, 5], [1, 3, 5, 6])).toBeNull();
    expect(nativeProductPlan([5], [5, 6])).toBeNull();
  });
});

describe('native product kernel on the wasm backend', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
  });

  it('is active by default and off with LOOP_NATIVE_MATMUL=0', () => {
    expect(nativeMatMulActive()).toBe(true);
    expect(withNative(false, () => nativeMatMulActive())).toBe(false);
    expect(wasmProductTakesFlags([3, 16, 20], [3, 17, 20], false, true)).toBe(true);
    expect(withNative(false, () => wasmProductTakesFlags([3, 16, 20], [3, 17, 20], false, true))).toBe(false);
  });

  it('takes every product on one thread, with its transpose flags', () => {
    expect(wasmProductTakesFlags([672, 64], [64, 64], false, true)).toBe(true);
    expect(wasmProductTakesFlags([64, 672], [64, 256], true, false)).toBe(true);
    expect(wasmProductTakesFlags([2624, 256], [256, 256], false, false)).toBe(true);
    expect(wasmProductTakesFlags([2624, 256], [1024, 256], false, true)).toBe(true);
    expect(wasmProductTakesFlags([8, 2624, 256], [8, 256, 1024], false, false)).toBe(true); // batched
    expect(wasmProductTakesFlags([2, 1, 4, 5], [1, 3, 5, 6], false, false)).toBe(false); // mixed broadcast
  });

  // Tails of the 6 x 8 tile: rows 1..13, columns 1..17 (8-, 4- and scalar column blocks).
  it.each([
    [[], 1, 3, 1],
    [[], 5, 7, 3],
    [[], 6, 16, 8],
    [[], 13, 9, 17],
    [[], 7, 0, 5],
    [[3], 6, 20, 12],
    [[2, 2], 9, 16, 21],
  ])('batch %j, %i x %i x %i: every transpose combination matches a triple loop', (batchShape, m, k, n) => {
    const batch = batchShape.reduce((p, q) => p * q, 1);
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const av = seeded(batch * m * k, 3);
        const bv = seeded(batch * k * n, 4);
        const a = tf.tensor(av, [...batchShape, ...(tA ? [k, m] : [m, k])]);
        const b = tf.tensor(bv, [...batchShape, ...(tB ? [n, k] : [k, n])]);
        const ids = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
        const c = tf.matMul(a, b, tA, tB);
        expect(c.shape).toEqual([...batchShape, m, n]);
        const want = brute(av, bv, {
          batch,
          m,
          k,
          n,
          strideA: m * k,
          strideB: k * n,
          transA: tA,
          transB: tB,
        });
        expect(maxDiff(c.dataSync(), want)).toBeLessThan(1e-5);
        // only the output is new (the transpose scratch is freed)
        expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(ids + 1);
        tf.dispose([a, b, c]);
      }
    }
  });

  it('still works after the wasm heap grows (the kernel keeps no views of the old buffer)', () => {
    const heap = (): number =>
      (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
    const before = heap();
    const big = tf.zeros([before / 4 + (1 << 20)]); // more than the whole heap: it must grow
    expect(heap()).toBeGreaterThan(before);
    const av = seeded(3 * 7 * 9, 13);
    const bv = seeded(3 * 9 * 5, 14);
    const a = tf.tensor(av, [3, 7, 9]);
    const b = tf.tensor(bv, [3, 9, 5]);
    const c = tf.matMul(a, b);
    const p = { batch: 3, m: 7, k: 9, n: 5, strideA: 63, strideB: 45, transA: false, transB: false };
    expect(maxDiff(c.dataSync(), brute(av, bv, p))).toBeLessThan(1e-5);
    tf.dispose([big, a, b, c]);
  });

  it('broadcasts a batch-1 operand', () => {
    const av = seeded(4 * 5, 5);
    const bv = seeded(3 * 5 * 6, 6);
    const a = tf.tensor(av, [1, 4, 5]);
    const b = tf.tensor(bv, [3, 5, 6]);
    const c = tf.matMul(a, b);
    expect(c.shape).toEqual([3, 4, 6]);
    const p = { batch: 3, m: 4, k: 5, n: 6, strideA: 0, strideB: 30, transA: false, transB: false };
    expect(maxDiff(c.dataSync(), brute(av, bv, p))).toBeLessThan(1e-5);
    const w = tf.tensor(bv.subarray(0, 30), [5, 6]);
    const x = tf.tensor(seeded(3 * 4 * 5, 7), [3, 4, 5]);
    const y = tf.matMul(x, w);
    const q = { batch: 3, m: 4, k: 5, n: 6, strideA: 20, strideB: 0, transA: false, transB: true };
    // transposed and broadcast right operand
    const wt = tf.transpose(w);
    const yt = tf.matMul(x, wt, false, true);
    expect(maxDiff(yt.dataSync(), brute(x.dataSync(), wt.dataSync(), q))).toBeLessThan(1e-5);
    expect(maxDiff(y.dataSync(), yt.dataSync())).toBe(0);
    tf.dispose([a, b, c, w, x, y, wt, yt]);
  });

  it.each([
    [[], 64, 40, 24, false, false],
    [[], 64, 40, 24, true, false],
    [[], 30, 40, 24, false, true],
    [[6], 21, 16, 21, false, false],
    [[6], 16, 21, 21, true, false],
    // inner sizes across the kernel's k blocks of 256 (partial sums carried in the output)
    [[], 13, 256, 20, false, false],
    [[], 13, 257, 20, true, false],
    [[], 30, 600, 17, false, true],
    [[2], 16, 513, 17, true, true],
  ])(
    'batch %j, %i x %i x %i (transposed %s / %s): plain build bitwise XNNPACK, fused build bitwise fused sums',
    (batchShape, m, k, n, tA, tB) => {
      const batch = batchShape.reduce((p, q) => p * q, 1);
      const av = seeded(batch * m * k, 8);
      const bv = seeded(batch * k * n, 9);
      const a = tf.tensor(av, [...batchShape, ...(tA ? [k, m] : [m, k])]);
      const b = tf.tensor(bv, [...batchShape, ...(tB ? [n, k] : [k, n])]);
      const swap = (t: tf.Tensor, on: boolean): tf.Tensor =>
        on ? tf.transpose(t, [...batchShape.map((_, i) => i), t.rank - 1, t.rank - 2]) : t;
      const plain = withFused(false, () => tf.matMul(a, b, tA, tB));
      // XNNPACK only runs untransposed products: transpose explicitly (an exact copy).
      const reference = withNative(false, () => tf.matMul(swap(a, tA), swap(b, tB)));
      expect(Array.from(plain.dataSync())).toEqual(Array.from(reference.dataSync()));
      const p = { batch, m, k, n, strideA: m * k, strideB: k * n, transA: tA, transB: tB };
      expect(Array.from(plain.dataSync())).toEqual(Array.from(sequentialProduct(av, bv, p, false)));
      const fused = tf.matMul(a, b, tA, tB);
      if (fuses !== undefined) {
        const rounding = relaxedSimdSupported() && fuses;
        expect(nativeMatMulFused()).toBe(rounding);
        expect(Array.from(fused.dataSync())).toEqual(Array.from(sequentialProduct(av, bv, p, rounding)));
      }
      tf.dispose([a, b, plain, reference, fused]);
    },
  );

  it('runs fused by default where relaxed SIMD compiles, plain with LOOP_NATIVE_FMA=0', () => {
    // 1 * -(1 + 2^-11) + (1 + 2^-12)^2 = 2^-24 exactly; rounding (1 + 2^-12)^2 first gives 0.
    const x = 1 + 2 ** -12;
    const a = tf.tensor2d([1, x], [1, 2]);
    const b = tf.tensor2d([-(1 + 2 ** -11), x], [2, 1]);
    expect(relaxedSimdSupported()).toBe(true); // Node 20 with the flag this module sets, or Node >= 22
    if (fuses !== undefined) {
      expect(fusedBuildFuses()).toBe(fuses);
      expect(nativeMatMulFused()).toBe(fuses);
    }
    expect(withFused(false, () => nativeMatMulFused())).toBe(false);
    const fused = tf.matMul(a, b);
    const plain = withFused(false, () => tf.matMul(a, b));
    if (fuses !== undefined) expect(fused.dataSync()[0]).toBe(fuses ? 2 ** -24 : 0);
    expect(plain.dataSync()[0]).toBe(0);
    tf.dispose([a, b, fused, plain]);
  });

  it('keeps the gradient of a product exact to float32 with the flags it now passes', () => {
    const x = tf.tensor(seeded(5 * 7, 10), [5, 7]);
    const w = tf.tensor(seeded(7 * 9, 11), [7, 9]);
    const dy = tf.tensor(seeded(5 * 9, 12), [5, 9]);
    const f = (xx: tf.Tensor, ww: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.matMul(xx, ww), dy));
    const [gx, gw] = tf.grads(f)([x, w]);
    // closed forms: dL/dx = dy w^T, dL/dw = x^T dy (float64)
    const xv = x.dataSync();
    const wv = w.dataSync();
    const dv = dy.dataSync();
    const wantX = brute(dv, wv, {
      batch: 1,
      m: 5,
      k: 9,
      n: 7,
      strideA: 0,
      strideB: 0,
      transA: false,
      transB: true,
    });
    const wantW = brute(xv, dv, {
      batch: 1,
      m: 7,
      k: 5,
      n: 9,
      strideA: 0,
      strideB: 0,
      transA: true,
      transB: false,
    });
    expect(maxDiff(gx!.dataSync(), wantX)).toBeLessThan(1e-5);
    expect(maxDiff(gw!.dataSync(), wantW)).toBeLessThan(1e-5);
    tf.dispose([x, w, dy, gx!, gw!]);
  });
});
