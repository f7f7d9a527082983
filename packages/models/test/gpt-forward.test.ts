import * as tf from '@tensorflow/tfjs';
import { createLoopedGPT, GPTConfig, gptConfigForTask, initBackend } from '../src';
import { referenceForward } from './helpers/reference-gpt';
import { randomizeVariables, readWeights } from './helpers/weights';

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

const tiny = (over: Partial<GPTConfig> = {}): GPTConfig => ({
  vocabSize: 5,
  nEmbd: 4,
  nHead: 1,
  nLayer: 1,
  inputInjection: true,
  positional: 'none',
  readIn: 'onehot',
  ...over,
});

function maxAbsDiff(a: Float32Array | number[], b: number[]): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('looped GPT forward vs hand-written float64 reference', () => {
  const tokens = [
    [0, 1, 2, 3, 4],
    [4, 4, 1, 0, 2],
  ];
  const cases: [string, Partial<GPTConfig>][] = [
    ['n_embd 4, 1 head, injection', {}],
    ['without injection (WO)', { inputInjection: false }],
    [
      'learned positions + table read-in, 2 heads, 2 layers',
      { positional: 'learned', maxSeqLen: 6, readIn: 'embedding', nHead: 2, nLayer: 2, outputSize: 3 },
    ],
  ];
  it.each(cases)('%s matches to 1e-5 for every loop', (_name, over) => {
    const cfg = tiny(over);
    const model = createLoopedGPT(cfg, { seed: 3 });
    randomizeVariables(model.variables, 11);
    const ref = referenceForward(cfg, readWeights(model.variables, model.variableNames), tokens, 3);
    const out = model.forward(tf.tensor2d(tokens, [2, 5], 'int32'), { loops: 3 });
    expect(out).toHaveLength(3);
    out.forEach((lg, l) => {
      expect(lg.shape).toEqual([2, 5, cfg.outputSize ?? cfg.vocabSize]);
      expect(maxAbsDiff(lg.dataSync() as Float32Array, ref[l].flat(2))).toBeLessThan(1e-5);
    });
    tf.dispose(out);
    model.dispose();
  });
});

describe('input injection vs WO', () => {
  it('agree after one loop (h0 + e = e) and differ from loop 2 on, each as specified', () => {
    const a = createLoopedGPT(tiny({ inputInjection: true }), { seed: 5 });
    const b = createLoopedGPT(tiny({ inputInjection: false }), { seed: 5 });
    randomizeVariables(a.variables, 7);
    randomizeVariables(b.variables, 7);
    const x = tf.tensor2d([[1, 2, 0, 3]], [1, 4], 'int32');
    const la = a.forward(x, { loops: 2 });
    const lb = b.forward(x, { loops: 2 });
    expect(maxAbsDiff(la[0].dataSync() as Float32Array, Array.from(lb[0].dataSync()))).toBe(0);
    expect(maxAbsDiff(la[1].dataSync() as Float32Array, Array.from(lb[1].dataSync()))).toBeGreaterThan(1e-3);
    // loop 2 with injection equals the WO recursion fed h1 + e: checked against the reference.
    const refA = referenceForward(
      tiny({ inputInjection: true }),
      readWeights(a.variables, a.variableNames),
      [[1, 2, 0, 3]],
      2,
    );
    const refB = referenceForward(
      tiny({ inputInjection: false }),
      readWeights(b.variables, b.variableNames),
      [[1, 2, 0, 3]],
      2,
    );
    expect(maxAbsDiff(la[1].dataSync() as Float32Array, refA[1].flat(2))).toBeLessThan(1e-5);
    expect(maxAbsDiff(lb[1].dataSync() as Float32Array, refB[1].flat(2))).toBeLessThan(1e-5);
    tf.dispose([la, lb]);
    a.dispose();
    b.dispose();
  });
});

describe('causality', () => {
  it('changing token j never changes logits at positions < j, for every loop', () => {
    const cfg = tiny({ nEmbd: 8, nHead: 2, positional: 'learned', maxSeqLen: 6 });
    const model = createLoopedGPT(cfg, { seed: 9 });
    randomizeVariables(model.variables, 4);
    const base = [2, 0, 1, 3, 4, 1];
    const before = model.forward(tf.tensor2d([base], [1, 6], 'int32'), { loops: 4 }).map((t) => {
      const d = t.arraySync()[0];
      t.dispose();
      return d;
    });
    for (let j = 0; j < 6; j++) {
      const changed = base.slice();
      changed[j] = (changed[j] + 2) % 5;
      const after = model.forward(tf.tensor2d([changed], [1, 6], 'int32'), { loops: 4 });
      after.forEach((t, l) => {
        const d = t.arraySync()[0];
        for (let p = 0; p < j; p++) expect(d[p]).toEqual(before[l][p]);
        // the changed position itself must react (the test could otherwise pass vacuously)
        expect(Math.max(...d[j].map((v, k) => Math.abs(v - before[l][j][k])))).toBeGreaterThan(1e-6);
      });
      tf.dispose(after);
    }
    model.dispose();
  });
});

describe('configuration', () => {
  it('reference task configs and parameter counts (closed form)', () => {
    const c = gptConfigForTask('parity');
    expect(c).toMatchObject({
      nEmbd: 256,
      nHead: 64,
      nLayer: 1,
      vocabSize: 6,
      readIn: 'onehot',
      positional: 'none',
      inputInjection: true,
    });
    expect(gptConfigForTask('unique-set')).toMatchObject({
      vocabSize: 60,
      readIn: 'embedding',
      nLayer: 3,
      nHead: 8,
    });
    const cfg = tiny({ nEmbd: 8, nHead: 2, nLayer: 2 });
    const C = 8;
    const V = 5;
    const perBlock =
      2 * C + (C * 3 * C + 3 * C) + (C * C + C) + 2 * C + (C * 4 * C + 4 * C) + (4 * C * C + C);
    const expected = V * C + C + 2 * perBlock + 2 * C + C * V + V;
    const m = createLoopedGPT(cfg, { seed: 1 });
    expect(m.parameterCount()).toBe(expected);
    expect(m.variables.reduce((a, v) => a + v.size, 0)).toBe(expected);
    expect(new Set(m.variables.map((v) => v.name)).size).toBe(m.variables.length);
    m.dispose();
  });

  it('GPT-2 init: LN ones/zeros, residual projections with std 0.02/sqrt(2 n_layer)', () => {
    const m = createLoopedGPT({ ...tiny(), nEmbd: 64, nHead: 4, nLayer: 2 }, { seed: 2 });
    const get = (n: string): Float32Array =>
      m.variables[m.variableNames.indexOf(n)].dataSync() as Float32Array;
    const std = (a: Float32Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(Array.from(get('h.0.ln_1.g')).every((v) => v === 1)).toBe(true);
    expect(std(get('h.0.mlp.c_fc.w'))).toBeCloseTo(0.02, 3);
    expect(std(get('h.1.mlp.c_proj.w'))).toBeCloseTo(0.02 / Math.sqrt(4), 3);
    m.dispose();
  });

  it('rejects bad configs naming the field', () => {
    expect(() => createLoopedGPT(tiny({ nHead: 3 }), { seed: 1 })).toThrow(/nHead must divide nEmbd/);
    expect(() => createLoopedGPT(tiny({ positional: 'learned' }), { seed: 1 })).toThrow(/maxSeqLen/);
    const m = createLoopedGPT(tiny(), { seed: 1 });
    expect(() => m.forward(tf.tensor2d([[1]], [1, 1], 'int32'), { loops: 0 })).toThrow(
      /loops must be an integer >= 1/,
    );
    m.dispose();
  });
});

describe('forward({ inference: true })', () => {
  it('gives the same logits as the training forward, bit for bit, and leaks no tensor', () => {
    for (const inputInjection of [true, false]) {
      const model = createLoopedGPT(
        {
          vocabSize: 6,
          nEmbd: 16,
          nHead: 2,
          nLayer: 2,
          inputInjection,
          positional: 'none',
          readIn: 'onehot',
        },
        { seed: 7 },
      );
      const tokens = tf.tensor2d([0, 1, 1, 2, 3, 1, 0, 2, 4, 5], [2, 5], 'int32');
      const full = model.forward(tokens, { loops: 6 });
      const before = tf.memory().numTensors;
      const lean = model.forward(tokens, { loops: 6, inference: true });
      // Only the 6 returned logits tensors are new.
      expect(tf.memory().numTensors).toBe(before + 6);
      full.forEach((x, t) => expect(Array.from(lean[t]!.dataSync())).toEqual(Array.from(x.dataSync())));
      tf.dispose([...full, ...lean, tokens]);
      model.dispose();
    }
  });
});
