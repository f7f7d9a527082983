import * as tf from '@tensorflow/tfjs';
import {
  adaptiveLoops,
  blockParams,
  createLoopedGPT,
  evaluateBatch,
  exactMatch,
  GPTConfig,
  gptBlock,
  initBackend,
  layerNorm,
  causalMaskBias,
  logitsAtSteps,
  readIn,
  readOut,
  stepLoss,
} from '../src';
import { referenceForward, referenceStepLoss } from './helpers/reference-gpt';
import { TINY_GPT } from './helpers/tiny-gpt';
import { randomizeVariables, readWeights } from './helpers/weights';

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

const cfg: GPTConfig = TINY_GPT;
const tokens = [
  [0, 1, 2, 3],
  [4, 1, 1, 0],
  [2, 2, 3, 1],
];
const target = [
  [1, 2, 3, 4],
  [0, 0, 1, 2],
  [3, 1, 4, 4],
];
const mask = [
  [0, 1, 1, 1],
  [0, 0, 1, 1],
  [1, 1, 1, 0],
];
const steps = [1, 3, 2];

describe('stepLoss', () => {
  it('value matches the float64 reference and gradients match central finite differences', () => {
    const model = createLoopedGPT(cfg, { seed: 1 });
    randomizeVariables(model.variables, 21, 0.4);
    const W = readWeights(model.variables, model.variableNames);
    const x = tf.tensor2d(tokens, [3, 4], 'int32');
    const y = tf.tensor2d(target, [3, 4], 'int32');
    const m = tf.tensor2d(mask, [3, 4], 'float32');
    const { value, grads } = tf.variableGrads(
      () => stepLoss(model.forward(x, { loops: 3 }), y, m, steps),
      model.variables,
    );
    const ref = referenceStepLoss(cfg, W, tokens, target, mask, steps);
    expect(Math.abs(value.dataSync()[0] - ref)).toBeLessThan(1e-5);
    const h = 1e-5;
    let checked = 0;
    model.variables.forEach((v, vi) => {
      const name = model.variableNames[vi];
      const g = grads[v.name].dataSync();
      // a few coordinates of every variable (first, middle, last)
      for (const i of new Set([0, Math.floor(v.size / 2), v.size - 1])) {
        const plus = structuredClone(W);
        const minus = structuredClone(W);
        plus[name].data[i] += h;
        minus[name].data[i] -= h;
        const fd =
          (referenceStepLoss(cfg, plus, tokens, target, mask, steps) -
            referenceStepLoss(cfg, minus, tokens, target, mask, steps)) /
          (2 * h);
        expect(Math.abs(g[i] - fd)).toBeLessThan(2e-5 + 2e-3 * Math.abs(fd));
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(30);
    model.dispose();
  });

  it('rejects steps outside 1..loops naming the sample', () => {
    const lg = [tf.zeros([2, 3, 4]) as tf.Tensor3D];
    expect(() =>
      stepLoss(lg, tf.zeros([2, 3], 'int32') as tf.Tensor2D, tf.ones([2, 3]) as tf.Tensor2D, [1, 2]),
    ).toThrow(/steps\[1\] = 2 must be an integer in 1\.\.1/);
  });
});

describe('weight sharing', () => {
  it('parameter count does not depend on loops; shared-weight gradient = sum of per-loop gradients of a hand-unrolled copy', () => {
    const model = createLoopedGPT(cfg, { seed: 2 });
    randomizeVariables(model.variables, 5, 0.4);
    const count = model.parameterCount();
    const x = tf.tensor2d(tokens, [3, 4], 'int32');
    const y = tf.tensor2d(target, [3, 4], 'int32');
    const m = tf.tensor2d(mask, [3, 4], 'float32');
    tf.dispose(model.forward(x, { loops: 1 }));
    tf.dispose(model.forward(x, { loops: 5 }));
    expect(model.parameterCount()).toBe(count);
    expect(model.variables.reduce((a, v) => a + v.size, 0)).toBe(count);

    const { grads } = tf.variableGrads(
      () => stepLoss(model.forward(x, { loops: 3 }), y, m, steps),
      model.variables,
    );

    // Unrolled: separate copies of every looped weight per loop, the read-in once.
    const names = model.variableNames;
    const looped = names.filter((n) => !n.startsWith('wte') && !n.startsWith('wpe'));
    const once = names.filter((n) => !looped.includes(n));
    const L = 3;
    const inputs: tf.Tensor[] = [];
    for (const n of once) inputs.push(tf.clone(model.variables[names.indexOf(n)]));
    for (let t = 0; t < L; t++)
      for (const n of looped) inputs.push(tf.clone(model.variables[names.indexOf(n)]));
    const unrolled = (...ts: tf.Tensor[]): tf.Scalar => {
      const base: Record<string, tf.Tensor> = {};
      once.forEach((n, i) => (base[n] = ts[i]));
      const e = readIn(cfg, base, x);
      const mb = causalMaskBias(4);
      const out: tf.Tensor3D[] = [];
      let h: tf.Tensor = tf.zerosLike(e);
      for (let t = 0; t < L; t++) {
        const p: Record<string, tf.Tensor> = { ...base };
        looped.forEach((n, i) => (p[n] = ts[once.length + t * looped.length + i]));
        const u = gptBlock(tf.add(h, e), blockParams(p, 0), { batch: 3, seqLen: 4, nHead: cfg.nHead }, mb);
        h = layerNorm(u, p['ln_f.g'], p['ln_f.b']);
        out.push(readOut(cfg, p, h, 3, 4));
      }
      return stepLoss(out, y, m, steps);
    };
    const g = tf.grads(unrolled)(inputs);
    for (const n of looped) {
      const idx = looped.indexOf(n);
      const summed = tf.addN([0, 1, 2].map((t) => g[once.length + t * looped.length + idx])).dataSync();
      const shared = grads[model.variables[names.indexOf(n)].name].dataSync();
      for (let i = 0; i < shared.length; i++)
        expect(Math.abs(summed[i] - shared[i])).toBeLessThan(1e-5 + 1e-4 * Math.abs(shared[i]));
    }
    // the sample scored at loop 3 gives the head a gradient in every loop copy: the comparison is not vacuous
    const headIdx = looped.indexOf('lm_head.w');
    for (let t = 0; t < 3; t++)
      expect(
        Math.max(...Array.from(g[once.length + t * looped.length + headIdx].dataSync()).map(Math.abs)),
      ).toBeGreaterThan(1e-6);
    model.dispose();
  });
});

describe('inference helpers', () => {
  // -log max softmax of a row, in closed form
  const negLogMax = (row: number[]): number => {
    const mx = Math.max(...row);
    return Math.log(row.reduce((a, v) => a + Math.exp(v - mx), 0));
  };
  // 3 loops, 2 samples, 2 positions, 3 classes
  const L: number[][][][] = [
    [
      [
        [0, 0, 0],
        [5, 0, 0],
      ],
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
    ],
    [
      [
        [4, 0, 0],
        [0, 3, 0],
      ],
      [
        [1, 0, 0],
        [0, 0, 0],
      ],
    ],
    [
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
      [
        [9, 0, 0],
        [0, 8, 0],
      ],
    ],
  ];
  const maskArr = [
    [1, 1],
    [1, 1],
  ];

  it('adaptiveLoops picks the argmin of mean -log max-probability, per batch and per sample', () => {
    const conf = L.map((loop) => loop.map((s) => s.map(negLogMax)));
    const perBatch = conf.map((c) => c.flat().reduce((a, b) => a + b, 0) / 4);
    const perSample = [0, 1].map((b) => conf.map((c) => (c[b][0] + c[b][1]) / 2));
    const argmin = (a: number[]): number => a.indexOf(Math.min(...a)) + 1;
    const logits = L.map((l) => tf.tensor3d(l));
    const m = tf.tensor2d(maskArr);
    expect(adaptiveLoops(logits, m)).toBe(argmin(perBatch));
    expect(adaptiveLoops(logits, m, { perSample: true })).toEqual(perSample.map(argmin));
    // the construction makes the per-sample choices differ: sample 0 -> loop 2, sample 1 -> loop 3
    expect(adaptiveLoops(logits, m, { perSample: true })).toEqual([2, 3]);
    // masked-out positions are ignored: mask sample 1's second position and loop 3 still wins for it
    const m2 = tf.tensor2d([
      [1, 0],
      [1, 1],
    ]);
    expect((adaptiveLoops(logits, m2, { perSample: true }) as number[])[0]).toBe(
      argmin([0, 1, 2].map((t) => conf[t][0][0])),
    );
  });

  it('exactMatch scores only masked positions; logitsAtSteps picks each sample at its step', () => {
    const logits = tf.tensor3d([
      [
        [5, 0, 0],
        [0, 5, 0],
      ],
      [
        [0, 0, 5],
        [5, 0, 0],
      ],
    ]);
    const tgt = tf.tensor2d(
      [
        [0, 2],
        [2, 0],
      ],
      [2, 2],
      'int32',
    );
    expect(
      exactMatch(
        logits,
        tgt,
        tf.tensor2d([
          [1, 1],
          [1, 1],
        ]),
      ),
    ).toEqual([0, 1]);
    expect(
      exactMatch(
        logits,
        tgt,
        tf.tensor2d([
          [1, 0],
          [1, 1],
        ]),
      ),
    ).toEqual([1, 1]);
    const perLoop = L.map((l) => tf.tensor3d(l));
    const picked = logitsAtSteps(perLoop, [3, 1]).arraySync();
    expect(picked[0]).toEqual(L[2][0]);
    expect(picked[1]).toEqual(L[0][1]);
  });

  it('evaluateBatch: oracle scores each sample at its own step; adaptive uses the max-confidence loop', () => {
    const model = createLoopedGPT(cfg, { seed: 8 });
    randomizeVariables(model.variables, 2, 0.6);
    const batch = {
      input: Int32Array.from(tokens.flat()),
      target: Int32Array.from(target.flat()),
      mask: Float32Array.from(mask.flat()),
      steps: Int32Array.from(steps),
      shape: [3, 4] as [number, number],
    };
    // independent per-sample argmax check against the float64 reference
    const ref = referenceForward(cfg, readWeights(model.variables, model.variableNames), tokens, 6);
    const correctAt = (b: number, loop: number): number =>
      mask[b].every(
        (mk, p) => !mk || ref[loop - 1][b][p].indexOf(Math.max(...ref[loop - 1][b][p])) === target[b][p],
      )
        ? 1
        : 0;
    const oracle = evaluateBatch(model, batch, { mode: 'oracle' });
    expect(oracle.loops).toEqual(steps);
    expect(oracle.correct).toEqual(steps.map((s, b) => correctAt(b, s)));
    const adaptive = evaluateBatch(model, batch, { mode: 'adaptive', maxLoops: 6 });
    const nll = (loop: number): number => {
      let s = 0;
      let n = 0;
      mask.forEach((row, b) =>
        row.forEach((mk, p) => {
          if (!mk) return;
          const x = ref[loop - 1][b][p];
          const mx = Math.max(...x);
          s += Math.log(x.reduce((a, v) => a + Math.exp(v - mx), 0));
          n++;
        }),
      );
      return s / n;
    };
    const confs = [1, 2, 3, 4, 5, 6].map(nll);
    const best = confs.indexOf(Math.min(...confs)) + 1;
    expect(adaptive.loops).toBe(best);
    expect(adaptive.correct).toEqual([0, 1, 2].map((b) => correctAt(b, best)));
    model.dispose();
  });
});
