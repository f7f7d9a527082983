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
