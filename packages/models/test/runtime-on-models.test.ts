import * as tf from '@tensorflow/tfjs';
import { createLoopedGPT, createToyAttention, geluTanh, geluTanhOps, initBackend, stepLoss } from '../src';
import { withSwitch } from '../../runtime/test/helpers/env-switch';
import { withInputSavingGradients } from './helpers/input-saving-gradients';
import { seeded } from '../../runtime/test/helpers/seeded';
import { TINY_GPT } from './helpers/tiny-gpt';
import { randomizeVariables } from './helpers/weights';

// The runtime's fast tape walk and fused GELU on the models they exist for: the oracles are tfjs'
// own walk (LOOP_FAST_TAPE=0, with input-saving Exp/Sigmoid gradients so that walk is exact to
// second order) and GELU written as tfjs ops (LOOP_NATIVE_GELU=0).

const withGelu = <T>(on: boolean, f: () => T): T => withSwitch('LOOP_NATIVE_GELU', on, f);

/** Largest error relative to max(1, |reference|). */
function worst(got: ArrayLike<number>, ref: (i: number) => number): number {
  let w = 0;
  for (let i = 0; i < got.length; i++) {
    const r = ref(i);
    w = Math.max(w, Math.abs((got[i] as number) - r) / Math.max(1, Math.abs(r)));
  }
  return w;
}

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

describe('fast tape walk on the models', () => {
  it('gives the tfjs walk gradients bit for bit, and its HVPs to float32 round-off (looped GPT, toy)', () => {
    // HVPs are not bitwise: where an Add hands dy on, the outer pass adds the contributions to dy in
    // tape order instead of first per reshaped copy (the same terms, associated differently). They
    // are compared with input-saving Exp and Sigmoid gradients, where tfjs' walk is exact (below).
    const gpt = createLoopedGPT(TINY_GPT, { seed: 3 });
    randomizeVariables(gpt.variables, 7, 0.4);
    const x = tf.tensor2d([0, 1, 2, 3, 4, 1, 1, 0], [2, 4], 'int32');
    const y = tf.tensor2d([1, 2, 3, 4, 1, 1, 0, 2], [2, 4], 'int32');
    const m = tf.tensor2d([0, 1, 1, 1, 1, 1, 1, 0], [2, 4]);
    const toy = createToyAttention({ dim: 4, vocabSize: 4, loops: 3, seed: 2 });
    const tokens = tf.tensor2d([0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 2, 2], [3, 4], 'int32');
    const targets = tf.tensor1d([1, 2, 3], 'int32');
    const cases: [string, () => tf.Scalar, tf.Variable[]][] = [
      ['gpt', () => stepLoss(gpt.forward(x, { loops: 3 }), y, m, [1, 3]), gpt.variables],
      ['toy', () => toy.loss(tokens, targets), toy.variables],
    ];
    for (const [, loss, vars] of cases) {
      const n = vars.reduce((a, v) => a + v.size, 0);
      const seed = tf.tensor1d(Array.from({ length: n }, (_, i) => Math.sin(i + 1)));
      const flat = (ts: tf.Tensor[]): tf.Tensor => tf.concat(ts.map((t) => tf.reshape(t, [-1])));
      const run = (): { g: Float32Array; hv: Float32Array } =>
        tf.tidy(() => {
          const g = flat(tf.engine().gradients(loss, vars).grads);
          const hv = flat(
            tf.engine().gradients(() => flat(tf.engine().gradients(loss, vars).grads), vars, seed).grads,
          );
          return { g: g.dataSync() as Float32Array, hv: hv.dataSync() as Float32Array };
        });
      const fast = withInputSavingGradients(run);
      const ref = withInputSavingGradients(() => withSwitch('LOOP_FAST_TAPE', false, run)); // tfjs' own walk
      expect(Array.from(fast.g)).toEqual(Array.from(ref.g));
      const scale = ref.hv.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      expect(scale).toBeGreaterThan(0);
      fast.hv.forEach((v, i) => expect(Math.abs(v - ref.hv[i]!)).toBeLessThanOrEqual(1e-5 * scale));
      seed.dispose();
    }
    gpt.dispose();
    toy.dispose();
    tf.dispose([x, y, m, tokens, targets]);
  });

  it('keeps the tensor count flat over repeated gradients and HVPs of a model', () => {
    const toy = createToyAttention({ dim: 4, vocabSize: 4, loops: 2, seed: 5 });
    const tokens = tf.tensor2d([0, 1, 2, 3, 3, 2, 1, 0], [2, 4], 'int32');
    const targets = tf.tensor1d([1, 2], 'int32');
    const loss = (): tf.Scalar => toy.loss(tokens, targets);
    const step = (): void =>
      tf.tidy(() => {
        const inner = () =>
          tf.addN(
            tf
              .engine()
              .gradients(loss, toy.variables)
              .grads.map((g) => tf.sum(g)),
          );
        tf.engine().gradients(inner, toy.variables);
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    toy.dispose();
    tf.dispose([tokens, targets]);
  });
});

describe('fused GELU on the looped GPT', () => {
  // The HVP through the fused kernels is checked against finite differences in @loop/hessian's
  // models-wasm.test.ts (the ops path needs its second-order gradients).
  it("agrees with GELU as tfjs ops: values and the looped GPT's gradient", () => {
    const x = tf.tensor2d(
      seeded(6 * 37, 11).map((v) => 10 * v),
      [6, 37],
    );
    const ref = geluTanhOps(x).dataSync();
    expect(worst(geluTanh(x).dataSync(), (i) => ref[i] as number)).toBeLessThan(1e-6);
    x.dispose();
    const model = createLoopedGPT(
      {
        vocabSize: 5,
        nEmbd: 16,
        nHead: 2,
        nLayer: 1,
        inputInjection: true,
        readIn: 'onehot',
        positional: 'none',
      },
      { seed: 3 },
    );
    const tokens = tf.tensor2d(
      Int32Array.from({ length: 24 }, (_, i) => (i * 7) % 5),
      [3, 8],
      'int32',
    );
    const target = tf.tensor2d(
      Int32Array.from({ length: 24 }, (_, i) => (i * 3) % 5),
      [3, 8],
      'int32',
    );
    const mask = tf.ones([3, 8]) as tf.Tensor2D;
    const loss = (): tf.Scalar =>
      stepLoss(model.forward(tokens, { loops: 2 }), target, mask, [2, 1, 2]) as tf.Scalar;
    const gradient = (): Float32Array =>
      tf.tidy(() => {
        const g = tf.variableGrads(loss, model.variables).grads;
        return tf
          .concat(model.variables.map((p) => (g[p.name] as tf.Tensor).flatten()))
          .dataSync() as Float32Array;
      });
    const on = gradient();
    const off = withGelu(false, gradient);
    const scale = off.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(scale).toBeGreaterThan(0);
    let diff = 0;
    for (let i = 0; i < on.length; i++)
      diff = Math.max(diff, Math.abs((on[i] as number) - (off[i] as number)));
    expect(diff / scale).toBeLessThan(1e-4);
    tf.dispose([tokens, target, mask]);
    model.dispose();
  });
});
