import * as tf from '@tensorflow/tfjs';
import { createLoopedGPT, evaluateBatch, exactMatch, initBackend, logitsAtSteps, stepLoss } from '../src';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

/**
 * Every parity string of lengths 1..maxN in the reference FOP layout (independent of @loop/tasks):
 * input = bits, 2 ('='), pads 3 to length L; target[p] = string[p+1] of "bits = parity 3 3 ...";
 * mask from the '=' position on; T(n) = n.
 */
function parityAll(maxN: number, L: number) {
  const input: number[] = [];
  const target: number[] = [];
  const mask: number[] = [];
  const steps: number[] = [];
  for (let n = 1; n <= maxN; n++) {
    for (let code = 0; code < 1 << n; code++) {
      const bits = Array.from({ length: n }, (_, i) => (code >> i) & 1);
      const str = [...bits, 2, bits.reduce((a, b) => a ^ b, 0)];
      while (str.length < L + 1) str.push(3);
      const inp = [...bits, 2];
      while (inp.length < L) inp.push(3);
      input.push(...inp);
      target.push(...str.slice(1, L + 1));
      mask.push(...Array.from({ length: L }, (_, p) => (p >= n ? 1 : 0)));
      steps.push(n);
    }
  }
  const B = steps.length;
  const batch = {
    input: Int32Array.from(input),
    target: Int32Array.from(target),
    mask: Float32Array.from(mask),
    steps: Int32Array.from(steps),
    shape: [B, L] as [number, number],
  };
  return {
    batch,
    B,
    loops: maxN,
    steps,
    tokens: tf.tensor2d(input, [B, L], 'int32'),
    target: tf.tensor2d(target, [B, L], 'int32'),
    mask: tf.tensor2d(mask, [B, L], 'float32'),
  };
}

const cfg = {
  vocabSize: 6,
  nEmbd: 32,
  nHead: 4,
  nLayer: 1,
  inputInjection: true,
  positional: 'none',
  readIn: 'onehot',
} as const;

function clippedStep(
  model: ReturnType<typeof createLoopedGPT>,
  opt: tf.Optimizer,
  d: ReturnType<typeof parityAll>,
  clip = 1,
): number {
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => stepLoss(model.forward(d.tokens, { loops: d.loops }), d.target, d.mask, d.steps),
      model.variables,
    );
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
    const scale = tf.div(clip, tf.maximum(norm, clip));
    opt.applyGradients(Object.fromEntries(names.map((n) => [n, tf.mul(grads[n], scale)])));
    return value;
  });
  const v = loss.dataSync()[0];
  loss.dispose();
  return v;
}

describe('training on wasm', () => {
  it('is leak-free: tf.memory().numTensors is flat over 50 training steps', () => {
    const model = createLoopedGPT({ ...cfg, nEmbd: 16 }, { seed: 3 });
    const d = parityAll(3, 4);
    const opt = tf.train.adam(1e-3);
    clippedStep(model, opt, d); // the first step creates the optimizer's slots
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) clippedStep(model, opt, d);
    expect(tf.memory().numTensors).toBe(before);
    // inference helpers too
    for (let i = 0; i < 5; i++) {
      const lg = model.forward(d.tokens, { loops: 3 });
      const picked = logitsAtSteps(lg, d.steps);
      exactMatch(picked, d.target, d.mask);
      tf.dispose([lg, picked]);
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    opt.dispose();
    tf.dispose([d.tokens, d.target, d.mask]);
  });

  it('learns parity for every string of lengths 1..6 to 100% train accuracy (seeded, short curriculum)', () => {
    const L = 7;
    const full = parityAll(6, L);
    // Curriculum as in the reference (max length grows): lengths <= 4, then <= 5, then <= 6.
    const stages = [4, 5, 6].map((n) => parityAll(n, L));
    const model = createLoopedGPT(cfg, { seed: 2 });
    const opt = tf.train.adam(5e-3);
    const accuracy = (): number => {
      const lg = model.forward(full.tokens, { loops: 6 });
      const picked = logitsAtSteps(lg, full.steps);
      const c = exactMatch(picked, full.target, full.mask);
      tf.dispose([lg, picked]);
      return c.reduce((a, b) => a + b, 0) / full.B;
    };
    let acc = 0;
    for (let step = 1; step <= 450; step++) {
      clippedStep(model, opt, stages[Math.min(2, Math.floor((step - 1) / 100))]);
      if (step > 200 && step % 10 === 0) {
        acc = accuracy();
        if (acc === 1) break;
      }
    }
    expect(acc).toBe(1);
    // the oracle evaluation path agrees (every sample scored after exactly T(n) = n loops)
    const ev = evaluateBatch(model, full.batch, { mode: 'oracle' });
    expect(ev.accuracy).toBe(1);
    expect(ev.loops).toEqual(full.steps);
    model.dispose();
  });
});
