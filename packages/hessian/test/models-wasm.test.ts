import * as tf from '@tensorflow/tfjs';
import {
  createLoopedGPT,
  initBackend,
  nativeGeluActive,
  stepLoss,
  wasmProductUsesXnnpack,
} from '@loop/models';
import { enableSecondOrderGradients, finiteDifferenceHvp, hvp, parameterCount } from '../src';
import { createProbeRng, gaussianVector } from '../src/rng';
import { relErr } from './helpers';

// The same check as models.test.ts, on wasm: there @loop/models replaces BatchMatMul (per-entry
// XNNPACK products for attention), Identity, Cast, Slice, SplitV and Sum, and its BatchMatMul gradient
// transposes explicitly. Sizes are chosen so that attention takes the per-entry path. GELU runs
// both as the fused native kernels (their own derivatives of order 1 to 3) and as tfjs ops.
beforeAll(async () => {
  await initBackend('wasm', { log: () => undefined });
  enableSecondOrderGradients();
});

test.each([true, false])(
  'HVP of a looped GPT on wasm matches finite differences (rel err < 2e-3; fused GELU: %s)',
  (fused) => {
    const saved = process.env.LOOP_NATIVE_GELU;
    process.env.LOOP_NATIVE_GELU = fused ? '1' : '0';
    expect(nativeGeluActive()).toBe(fused);
    const T = 16;
    const model = createLoopedGPT(
      {
        vocabSize: 5,
        nEmbd: 32,
        nHead: 2,
        nLayer: 1,
        inputInjection: true,
        readIn: 'onehot',
        positional: 'none',
      },
      { seed: 4 },
    );
    // attention products [B, H, T, 16] x [B, H, 16, T] are large enough for the per-entry path
    expect(wasmProductUsesXnnpack([2, 2, T, 16], [2, 2, 16, T])).toBe(true);
    model.variables.forEach((v, i) => {
      if (v.shape.length === 2) v.assign(tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', 200 + i), 0.2));
    });
    const tokens = tf.tensor2d(
      Array.from({ length: 2 * T }, (_, i) => (i * 3) % 5),
      [2, T],
      'int32',
    );
    const target = tf.tensor2d(
      Array.from({ length: 2 * T }, (_, i) => (i * 2 + 1) % 5),
      [2, T],
      'int32',
    );
    const mask = tf.ones([2, T]) as tf.Tensor2D;
    const loss = (): tf.Scalar =>
      tf.tidy(() => stepLoss(model.forward(tokens, { loops: 2 }), target, mask, [2, 1]));
    for (const seed of [1, 2]) {
      const v = gaussianVector(parameterCount(model.variables), createProbeRng(seed));
      expect(
        relErr(hvp(loss, model.variables, v), finiteDifferenceHvp(loss, model.variables, v)),
      ).toBeLessThan(2e-3);
    }
    tf.dispose([tokens, target, mask]);
    model.dispose();
    if (saved === undefined) delete process.env.LOOP_NATIVE_GELU;
    else process.env.LOOP_NATIVE_GELU = saved;
  },
);
