import * as tf from '@tensorflow/tfjs';
import { fusedAdamUpdate, initBackend, nativeAdamFor } from '../src';
import { NATIVE_ADAM_SOURCE_SHA256 } from '../src/generated/native-adam';
import { nativeSourceSha256, testMemory } from './helpers/native-source';
import { seeded } from './helpers/seeded';

// Oracle: the update's equations in float64 (native/adam.c's header; torch.optim.Adam / AdamW),
// to float32 round-off. @loop/shift's adamw-wasm.test.ts checks it bitwise against its tfjs ops.

/** One update in float64: returns [p', m', v']. */
function reference(
  p: ArrayLike<number>,
  g: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  c: {
    decay: number | null;
    l2: number | null;
    b1: number;
    b2: number;
    sqrtBc2: number;
    eps: number;
    step: number;
  },
): [number[], number[], number[]] {
  const out: [number[], number[], number[]] = [[], [], []];
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const gi = (g[i] as number) + (c.l2 === null ? 0 : c.l2 * pi);
    const q = c.decay === null ? pi : pi * c.decay;
    const mi = c.b1 * (m[i] as number) + (1 - c.b1) * gi;
    const vi = c.b2 * (v[i] as number) + (1 - c.b2) * gi * gi;
    out[0].push(q - (mi / (Math.sqrt(vi) / c.sqrtBc2 + c.eps)) * c.step);
    out[1].push(mi);
    out[2].push(vi);
  }
  return out;
}

function maxRelDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    const d = Math.abs((x[i] as number) - (y[i] as number)) / Math.max(1e-6, Math.abs(y[i] as number));
    worst = Math.max(worst, d);
  }
  return worst;
}

const CONSTANTS = [
  { decay: 0.999, l2: null, b1: 0.9, b2: 0.999, sqrtBc2: 0.3, eps: 1e-8, step: 0.01 },
  { decay: null, l2: 0.05, b1: 0.8, b2: 0.99, sqrtBc2: 0.7, eps: 1e-6, step: 0.002 },
  { decay: null, l2: null, b1: 0.9, b2: 0.999, sqrtBc2: 1, eps: 1e-8, step: 0.1 },
];

describe('native Adam module (on a memory of its own)', () => {
  it.each([false, true])(
    'updates n = 1..9 elements like the float64 equations (shared memory: %s)',
    (shared) => {
      const memory = testMemory(shared);
      const kernel = nativeAdamFor(memory)!;
      expect(kernel).not.toBeNull();
      const heap = new Float32Array(memory.buffer);
      for (const c of CONSTANTS) {
        for (let n = 1; n <= 9; n++) {
          const [p, g, m] = [seeded(n, 1), seeded(n, 2), seeded(n, 3)];
          const v = seeded(n, 4).map((x) => x * x);
          [p, g, m, v].forEach((a, k) => heap.set(a, 16 * k));
          heap.fill(Number.NaN, 64, 128); // outputs at 64, 80, 96; NaN past them
          kernel(
            0,
            64,
            128,
            192,
            256,
            320,
            384,
            n,
            c.decay === null ? 0 : 1,
            c.decay ?? 1,
            c.l2 === null ? 0 : 1,
            c.l2 ?? 0,
            c.b1,
            1 - c.b1,
            c.b2,
            1 - c.b2,
            c.sqrtBc2,
            c.eps,
            c.step,
          );
          const [wp, wm, wv] = reference(p, g, m, v, c);
          expect(maxRelDiff(heap.subarray(64, 64 + n), wp)).toBeLessThan(1e-5);
          expect(maxRelDiff(heap.subarray(80, 80 + n), wm)).toBeLessThan(1e-5);
          expect(maxRelDiff(heap.subarray(96, 96 + n), wv)).toBeLessThan(1e-5);
          expect(Number.isNaN(heap[64 + n] as number)).toBe(true); // nothing written past p'
        }
      }
    },
  );

  it('embeds a build of the current native/adam.c (rebuild: node scripts/build-native.mjs adam)', () => {
    expect(nativeSourceSha256('adam')).toBe(NATIVE_ADAM_SOURCE_SHA256);
  });
});

describe('LoopAdamUpdate on the wasm backend', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
  });

  it('updates a group of parameters against flat moments, and names bad inputs', () => {
    const shapes = [[2, 3], [5], [1]];
    const params = shapes.map((s, k) =>
      tf.tensor(
        seeded(
          s.reduce((a, b) => a * b, 1),
          10 + k,
        ),
        s,
      ),
    );
    const grads = shapes.map((s, k) =>
      tf.tensor(
        seeded(
          s.reduce((a, b) => a * b, 1),
          20 + k,
        ),
        s,
      ),
    );
    const m = tf.tensor1d(seeded(12, 30));
    const v = tf.tensor1d(seeded(12, 31).map((x) => x * x));
    const c = CONSTANTS[0]!;
    const out = fusedAdamUpdate(params, grads, m, v, { ...c, oneMinusB1: 1 - c.b1, oneMinusB2: 1 - c.b2 });
    const flat = (ts: tf.Tensor[]): number[] => ts.flatMap((t) => Array.from(t.dataSync()));
    const [wp, wm, wv] = reference(flat(params), flat(grads), m.dataSync(), v.dataSync(), c);
    expect(out.params.map((t) => t.shape)).toEqual(shapes);
    expect(maxRelDiff(flat(out.params), wp)).toBeLessThan(1e-5);
    expect(maxRelDiff(out.m.dataSync(), wm)).toBeLessThan(1e-5);
    expect(maxRelDiff(out.v.dataSync(), wv)).toBeLessThan(1e-5);
    const short = tf.zeros([11]);
    expect(() =>
      fusedAdamUpdate(params, grads, short, v, { ...c, oneMinusB1: 0.1, oneMinusB2: 0.001 }),
    ).toThrow(/LoopAdamUpdate: m and v must have 12 elements/);
    expect(() =>
      fusedAdamUpdate(params, grads.slice(1), m, v, { ...c, oneMinusB1: 0.1, oneMinusB2: 0.001 }),
    ).toThrow(/3 parameters but 2 gradients/);
    tf.dispose([...params, ...grads, m, v, out.m, out.v, ...out.params, short]);
  });
});
