import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNorm, createOptimizer, globalNorm, learningRateAt, validateLrSchedule } from '../src';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Loss p0^2 + 3 p1 from p = (1, -2): gradient (2 p0, 3). Expected parameters after each of three
// steps (lr 0.1, betas 0.9/0.999, eps 1e-8, weight decay 0.01) computed by hand in float64 Python
// following torch.optim.AdamW / torch.optim.Adam.
const EXPECTED = {
  adamw: [
    [0.8990000005, -2.0979999996666665],
    [0.7985190271685215, -2.1959019993336657],
    [0.6989111831582322, -2.2937060970009986],
  ],
  adam: [
    [0.9000000004975124, -2.0999999996644294],
    [0.8004122286867155, -2.1999991230871707],
    [0.7015862729382771, -2.2999967878976055],
  ],
};

describe.each(['adamw', 'adam'] as const)('%s on a 2-parameter problem', (type) => {
  it('matches the hand-computed updates to 1e-6', () => {
    const a = tf.variable(tf.scalar(1), true, `adam-test-a-${type}`);
    const b = tf.variable(tf.scalar(-2), true, `adam-test-b-${type}`);
    const opt = createOptimizer({ type, lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 }, [a, b]);
    for (const [e0, e1] of EXPECTED[type]) {
      const { grads } = tf.variableGrads(() => tf.add(tf.square(a), tf.mul(b, 3)) as tf.Scalar, [a, b]);
      const g = [grads[a.name] as tf.Tensor, grads[b.name] as tf.Tensor];
      opt.apply(g, 0.1);
      g.forEach((t) => t.dispose());
      expect(a.dataSync()[0]).toBeCloseTo(e0 as number, 6);
      expect(b.dataSync()[0]).toBeCloseTo(e1 as number, 6);
    }
    // Exported state restores into a fresh optimiser and continues identically.
    const state = opt.exportState();
    expect(state.step).toBe(3);
    const a2 = tf.variable(a.clone(), true);
    const b2 = tf.variable(b.clone(), true);
    const opt2 = createOptimizer({ type, lr: 0.1, weightDecay: 0.01 }, [a2, b2]);
    opt2.importState(state);
    const g = [tf.scalar(0.7), tf.scalar(-0.2)];
    opt.apply(g, 0.05);
    opt2.apply(g, 0.05);
    expect(a2.dataSync()[0]).toBe(a.dataSync()[0]);
    expect(b2.dataSync()[0]).toBe(b.dataSync()[0]);
    [a, b, a2, b2, ...g].forEach((t) => t.dispose());
    opt.dispose();
    opt2.dispose();
  });
});

/** torch.optim.AdamW / Adam on one float64 parameter array, written out independently of src/. */
function referenceStep(
  type: 'adamw' | 'adam',
  p: number[],
  g: number[],
  st: { m: number[]; v: number[]; t: number },
  lr: number,
  wd: number,
): void {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  st.t += 1;
  for (let i = 0; i < p.length; i++) {
    let gi = g[i] as number;
    if (type === 'adam') gi += wd * (p[i] as number);
    if (type === 'adamw') p[i] = (p[i] as number) * (1 - lr * wd);
    st.m[i] = b1 * (st.m[i] as number) + (1 - b1) * gi;
    st.v[i] = b2 * (st.v[i] as number) + (1 - b2) * gi * gi;
    const mHat = (st.m[i] as number) / (1 - b1 ** st.t);
    const vHat = (st.v[i] as number) / (1 - b2 ** st.t);
    p[i] = (p[i] as number) - (lr * mHat) / (Math.sqrt(vHat) + eps);
  }
}

describe.each(['adamw', 'adam'] as const)('%s on several variables, some without weight decay', (type) => {
  it('matches a per-variable float64 reference; state export/import keeps variable order', () => {
    const shapes = [[2, 3], [4], [3, 1], [1]];
    const init = shapes.map((sh, k) =>
      Array.from({ length: sh.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(1 + i + 7 * k)),
    );
    const vars = shapes.map((sh, k) =>
      tf.variable(tf.tensor(init[k] as number[], sh), true, `grp-${type}-${k}`),
    );
    // Decay only variables 0 and 2: the optimiser splits them into two flat groups.
    const decayed = new Set([`grp-${type}-0`, `grp-${type}-2`]);
    const wd = 0.05;
    const opt = createOptimizer({ type, lr: 0.1, weightDecay: wd, decay: (n) => decayed.has(n) }, vars);
    const ref = init.map((p) => ({ p: [...p], st: { m: p.map(() => 0), v: p.map(() => 0), t: 0 } }));
    for (let step = 0; step < 4; step++) {
      const lr = 0.1 / (step + 1);
      const gs = init.map((p, k) => p.map((_, i) => Math.cos(step + 2 * i + k)));
      const gt = gs.map((g, k) => tf.tensor(g, shapes[k]));
      opt.apply(gt, lr);
      gt.forEach((t) => t.dispose());
      ref.forEach((r, k) =>
        referenceStep(type, r.p, gs[k] as number[], r.st, lr, decayed.has(`grp-${type}-${k}`) ? wd : 0),
      );
      vars.forEach((v, k) => {
        const got = Array.from(v.dataSync());
        (ref[k] as { p: number[] }).p.forEach((x, i) => expect(got[i]).toBeCloseTo(x, 5));
      });
    }
    const state = opt.exportState();
    expect(state.m.map((a) => a.length)).toEqual([6, 4, 3, 1]);
    ref.forEach((r, k) =>
      r.st.m.forEach((x, i) => expect((state.m[k] as Float32Array)[i]).toBeCloseTo(x, 6)),
    );
    ref.forEach((r, k) =>
      r.st.v.forEach((x, i) => expect((state.v[k] as Float32Array)[i]).toBeCloseTo(x, 6)),
    );
    const copies = vars.map((v) => tf.variable(v.clone(), true));
    // A different grouping (no decay: one group) still imports the per-variable state.
    const opt2 = createOptimizer({ type, lr: 0.1, weightDecay: wd, decay: () => false }, copies);
    opt2.importState(state);
    expect(opt2.exportState().v.map((a) => Array.from(a))).toEqual(state.v.map((a) => Array.from(a)));
    opt.dispose();
    opt2.dispose();
    [...vars, ...copies].forEach((v) => v.dispose());
  });

  it('keeps the tensor count flat across updates', () => {
    const vars = [tf.variable(tf.ones([3, 2])), tf.variable(tf.zeros([5]))];
    const opt = createOptimizer({ type, lr: 0.01, decay: (n) => n === vars[0]!.name }, vars);
    const grads = [tf.ones([3, 2]), tf.ones([5])];
    opt.apply(grads, 0.01);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.apply(grads, 0.01);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    [...vars, ...grads].forEach((t) => t.dispose());
  });
});

describe('optimizer config', () => {
  it('rejects a negative learning rate and bad betas by name', () => {
    const v = tf.variable(tf.scalar(0));
    expect(() => createOptimizer({ type: 'adamw', lr: -1e-3 }, [v])).toThrow(/optimizer\.lr = -0\.001 .*> 0/);
    expect(() => createOptimizer({ type: 'adamw', lr: 1e-3, betas: [0.9, 1] }, [v])).toThrow(
      /optimizer\.betas\[1\] = 1/,
    );
    expect(() => createOptimizer({ type: 'sgd' as 'adam', lr: 1e-3 }, [v])).toThrow(
      /optimizer\.type = "sgd"/,
    );
    v.dispose();
  });
});

describe('gradient clipping', () => {
  it('global norm and clipping match torch.nn.utils.clip_grad_norm_', () => {
    const g = [tf.tensor([3, 0]), tf.tensor([[4]])];
    const n = globalNorm(g);
    expect(n.dataSync()[0]).toBeCloseTo(5, 6);
    const clipped = clipByGlobalNorm(g, 5, 1);
    // coef = 1 / (5 + 1e-6)
    expect(Array.from(clipped[0]!.dataSync())[0]).toBeCloseTo(3 / (5 + 1e-6), 6);
    expect(Array.from(clipped[1]!.dataSync())[0]).toBeCloseTo(4 / (5 + 1e-6), 6);
    const unclipped = clipByGlobalNorm(g, 5, 10);
    expect(Array.from(unclipped[0]!.dataSync())).toEqual([3, 0]);
    [...g, n, ...clipped, ...unclipped].forEach((t) => t.dispose());
  });
});

describe('learning-rate schedules', () => {
  it('constant, warmup and cosine-after-curriculum follow their closed forms', () => {
    expect(learningRateAt({ type: 'constant' }, 0.1, 57, 100)).toBe(0.1);
    expect(learningRateAt({ type: 'warmup', warmupSteps: 10 }, 0.1, 4, 100)).toBeCloseTo(0.05, 12);
    expect(learningRateAt({ type: 'warmup', warmupSteps: 10 }, 0.1, 50, 100)).toBe(0.1);
    const cos = { type: 'cosine' as const, decayFrom: 40 };
    expect(learningRateAt(cos, 1, 39, 100)).toBe(1);
    expect(learningRateAt(cos, 1, 40, 100)).toBe(1);
    expect(learningRateAt(cos, 1, 70, 100)).toBeCloseTo(0.5, 12); // half-way: (1 + cos(pi/2)) / 2
    expect(learningRateAt(cos, 1, 100, 100)).toBeCloseTo(0, 12);
    expect(learningRateAt({ type: 'cosine', decayFrom: 0, minLr: 0.1 }, 1, 25, 100)).toBeCloseTo(
      0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)),
      12,
    );
    expect(() => validateLrSchedule({ type: 'warmup', warmupSteps: 0 })).toThrow(/warmupSteps = 0/);
    expect(() => validateLrSchedule({ type: 'linear' } as never)).toThrow(/lrSchedule\.type = "linear"/);
  });
});
