import * as tf from '@tensorflow/tfjs';
import { initBackend, nativeAdamActive } from '@loop/models';
import { createOptimizer } from '../src';

// On wasm the optimiser runs one native kernel per parameter group (@loop/models' LoopAdamUpdate).
// Oracles: the same optimiser with the kernel switched off (LOOP_NATIVE_ADAM=0: the tfjs ops, which
// adamw.test.ts checks against torch's equations on cpu), bitwise; and a float64 reference.

function withAdamSwitch<T>(on: boolean, f: () => T): T {
  const saved = process.env.LOOP_NATIVE_ADAM;
  if (on) delete process.env.LOOP_NATIVE_ADAM;
  else process.env.LOOP_NATIVE_ADAM = '0';
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.LOOP_NATIVE_ADAM;
    else process.env.LOOP_NATIVE_ADAM = saved;
  }
}

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

describe.each(['adamw', 'adam'] as const)('%s on wasm with the fused update', (type) => {
  it('is bitwise the op-by-op update, moments included, over steps with changing learning rates', () => {
    expect(nativeAdamActive()).toBe(true);
    expect(withAdamSwitch(false, () => nativeAdamActive())).toBe(false);
    // sizes across the kernel's 4-wide body and its tail; an empty one; two decay groups
    const shapes = [[3, 5], [7], [4, 4], [0, 3], [1], [2, 9]];
    const init = (k: number): tf.Tensor =>
      tf.tensor(
        Array.from({ length: (shapes[k] as number[]).reduce((a, b) => a * b, 1) }, (_, i) =>
          Math.sin(3 + 5 * i + 11 * k),
        ),
        shapes[k],
      );
    const make = (tag: string): tf.Variable[] =>
      shapes.map((_, k) => tf.variable(init(k), true, `fused-${type}-${tag}-${k}`));
    const fusedVars = make('on');
    const opsVars = make('off');
    const decay = (name: string): boolean => /-(0|2|5)$/.test(name);
    const config = {
      type,
      lr: 0.05,
      weightDecay: 0.1,
      betas: [0.8, 0.99] as [number, number],
      eps: 1e-6,
      decay,
    };
    const fused = createOptimizer(config, fusedVars);
    const ops = createOptimizer(config, opsVars);
    for (let step = 0; step < 5; step++) {
      const lr = 0.05 / (1 + step);
      const grads = shapes.map((sh, k) =>
        tf.tensor(
          Array.from(
            { length: sh.reduce((a, b) => a * b, 1) },
            (_, i) => Math.cos(step + 2 * i + k) * 10 ** (k - 3),
          ),
          sh,
        ),
      );
      fused.apply(grads, lr);
      withAdamSwitch(false, () => ops.apply(grads, lr));
      tf.dispose(grads);
    }
    fusedVars.forEach((v, k) =>
      expect(Array.from(v.dataSync())).toEqual(Array.from((opsVars[k] as tf.Variable).dataSync())),
    );
    const a = fused.exportState();
    const b = ops.exportState();
    expect(a.m.map((x) => Array.from(x))).toEqual(b.m.map((x) => Array.from(x)));
    expect(a.v.map((x) => Array.from(x))).toEqual(b.v.map((x) => Array.from(x)));
    fused.dispose();
    ops.dispose();
    tf.dispose([...fusedVars, ...opsVars]);
  });

  it('matches a float64 reference and keeps the tensor count flat', () => {
    const p = tf.variable(tf.tensor1d([0.5, -1.5, 2, 0.25, -0.75]), true, `ref-${type}`);
    const opt = createOptimizer({ type, lr: 0.1, weightDecay: 0.01 }, [p]);
    const ref = [0.5, -1.5, 2, 0.25, -0.75];
    const m = ref.map(() => 0);
    const v = ref.map(() => 0);
    const g = [0.3, -0.2, 0.1, 1, -2];
    const grads = [tf.tensor1d(g)];
    opt.apply(grads, 0.1);
    const before = tf.memory().numTensors;
    for (let t = 2; t <= 4; t++) opt.apply(grads, 0.1);
    expect(tf.memory().numTensors).toBe(before);
    // torch.optim.Adam / AdamW, written out in float64
    for (let t = 1; t <= 4; t++) {
      for (let i = 0; i < ref.length; i++) {
        let gi = g[i] as number;
        if (type === 'adam') gi += 0.01 * (ref[i] as number);
        else ref[i] = (ref[i] as number) * (1 - 0.1 * 0.01);
        m[i] = 0.9 * (m[i] as number) + 0.1 * gi;
        v[i] = 0.999 * (v[i] as number) + 0.001 * gi * gi;
        const denom = Math.sqrt((v[i] as number) / (1 - 0.999 ** t)) + 1e-8;
        ref[i] = (ref[i] as number) - (0.1 * ((m[i] as number) / (1 - 0.9 ** t))) / denom;
      }
    }
    Array.from(p.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(ref[i] as number, 5));
    opt.dispose();
    tf.dispose([p, ...grads]);
  });
});
