import * as tf from '@tensorflow/tfjs';
import { initBackend, middleAxisView, nativeSumFor } from '../src';
import { NATIVE_SUM_SOURCE_SHA256 } from '../src/generated/native-sum';
import { withSwitch } from './helpers/env-switch';
import { nativeSourceSha256, testMemory } from './helpers/native-source';
import { seeded } from './helpers/seeded';

// Oracles: a JavaScript loop adding in float32 (Math.fround) over [outer, r, inner], and tfjs' own
// wasm Sum with the native kernel switched off: both bitwise (each output's terms added in order,
// one float32 add per term).

const withSum = <T>(on: boolean, f: () => T): T => withSwitch('LOOP_NATIVE_SUM', on, f);

describe('native sum module (on a memory of its own)', () => {
  it.each([false, true])('sums the middle axis of [outer, r, inner] (shared memory: %s)', (shared) => {
    const memory = testMemory(shared, 4);
    const kernel = nativeSumFor(memory);
    expect(kernel).not.toBeNull();
    const heap = new Float32Array(memory.buffer);
    // inner sizes cover the 16-wide, 4-wide and scalar column loops
    for (const [outer, r, inner] of [
      [1, 672, 64],
      [3, 5, 37],
      [2, 7, 1],
      [4, 1, 19],
      [1, 9, 3],
    ] as const) {
      const n = outer * r * inner;
      const x = seeded(n, outer * 100 + r + inner);
      heap.set(x, 0);
      const out = 60_000; // past the largest input (43,008 floats)
      heap.fill(Number.NaN, out, out + outer * inner + 4);
      kernel!(0, out * 4, outer, r, inner);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          // float32 adds in order (Math.fround after each): the exact result, bit for bit
          let s = 0;
          for (let j = 0; j < r; j++) s = Math.fround(s + (x[(o * r + j) * inner + i] as number));
          expect(heap[out + o * inner + i]).toBe(s);
        }
      expect(Number.isNaN(heap[out + outer * inner] as number)).toBe(true);
    }
  });

  it('embeds a build of the current native/sum.c (rebuild: node scripts/build-native.mjs sum)', () => {
    expect(nativeSourceSha256('sum')).toBe(NATIVE_SUM_SOURCE_SHA256);
  });
});

describe('middleAxisView', () => {
  it('views adjacent reduced axes (size-1 axes ignored) as [outer, r, inner]', () => {
    expect(middleAxisView([672, 64], [0])).toEqual([1, 672, 64]);
    expect(middleAxisView([32, 21, 64], [0, 1])).toEqual([1, 672, 64]);
    expect(middleAxisView([672, 64, 1], [1])).toEqual([672, 64, 1]);
    expect(middleAxisView([2, 1, 3, 5], [0, 2])).toEqual([1, 6, 5]); // the size-1 axis between them
    expect(middleAxisView([4, 5, 6], [1])).toEqual([4, 5, 6]);
    expect(middleAxisView([4, 5, 6], [2])).toEqual([20, 6, 1]);
  });

  it('refuses reduced axes that are not adjacent, and reductions of size-1 axes only', () => {
    expect(middleAxisView([4, 5, 6], [0, 2])).toBeNull();
    expect(middleAxisView([4, 1, 6], [1])).toBeNull();
  });
});

describe('Sum on the wasm backend', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
  });

  const cases: [number[], number[], boolean][] = [
    [[672, 64], [0], false],
    [[672, 256], [0], true],
    [[32, 21, 64], [0, 1], false],
    [[672, 64, 1], [1], true],
    [[32, 4, 21, 21], [1], false],
    [[3, 1, 5, 7], [0, 2], false],
    [[4, 5, 6], [0, 2], false], // not adjacent: tfjs' own kernel
    [[4, 5, 6], [2], false], // innermost: tfjs' own kernel
    [[7, 3], [-2], true],
  ];

  it.each(cases)("sum of %j over %j (keepDims %s) is bitwise tfjs' own", (shape, axes, keepDims) => {
    const x = tf.tensor(seeded(tf.util.sizeFromShape(shape), shape.length * 31 + shape[0]!), shape);
    const native = tf.sum(x, axes, keepDims);
    const own = withSum(false, () => tf.sum(x, axes, keepDims));
    expect(native.shape).toEqual(own.shape);
    expect(Array.from(native.dataSync())).toEqual(Array.from(own.dataSync()));
    tf.dispose([x, native, own]);
  });

  it("sums an empty axis to zeros (tfjs' own kernel leaves that output unwritten)", () => {
    const x = tf.zeros([0, 5]);
    const s = tf.sum(x, 0);
    expect(s.shape).toEqual([5]);
    expect(Array.from(s.dataSync())).toEqual([0, 0, 0, 0, 0]);
    tf.dispose([x, s]);
  });

  it('leaves int32 sums to tfjs', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    const s = tf.sum(x, 0);
    expect(s.dtype).toBe('int32');
    expect(Array.from(s.dataSync())).toEqual([9, 12]);
    tf.dispose([x, s]);
  });
});
