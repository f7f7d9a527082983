import * as tf from '@tensorflow/tfjs';
import {
  accumulateGradients,
  createLoopedGPT,
  estimateActivationBytes,
  gptConfigForTask,
  initBackend,
  planMicroBatches,
  stepLoss,
  WASM_HEAP_BYTES,
} from '../src';
import { TINY_GPT } from './helpers/tiny-gpt';

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

describe('micro-batching', () => {
  it('planMicroBatches splits as evenly as possible under the budget', () => {
    expect(planMicroBatches(64, 10, 1000)).toEqual([64]);
    expect(planMicroBatches(64, 100, 1000)).toEqual([10, 9, 9, 9, 9, 9, 9]);
    expect(planMicroBatches(64, 100, 1000).reduce((a, b) => a + b, 0)).toBe(64);
    expect(() => planMicroBatches(4, 2000, 1000)).toThrow(/over the .* budget/);
  });

  it('the reference parity config at 40 loops would exceed the wasm heap in one batch and is split', () => {
    const cfg = gptConfigForTask('parity');
    const perSample = estimateActivationBytes(cfg, { seqLen: 42, loops: 40 });
    // closed form of the documented estimate
    const T = 42;
    const C = 256;
    const floats = 40 * (48 * T * C + 4 * 64 * T * T + 4 * T * C + 3 * T * 6) + T * (6 + 2 * C);
    expect(perSample).toBe(8 * floats);
    expect(64 * perSample).toBeGreaterThan(WASM_HEAP_BYTES);
    const parts = planMicroBatches(64, perSample);
    expect(parts.length).toBeGreaterThan(1);
    expect(Math.max(...parts) * perSample).toBeLessThan(WASM_HEAP_BYTES / 2);
  });

  it('accumulated micro-batch gradients equal the full-batch gradients', () => {
    const model = createLoopedGPT({ ...TINY_GPT, vocabSize: 4 }, { seed: 4 });
    const tokens = [
      [0, 1, 2],
      [1, 1, 0],
      [2, 0, 1],
      [3, 2, 2],
      [0, 0, 0],
    ];
    const target = [
      [1, 2, 3],
      [1, 0, 3],
      [0, 1, 3],
      [2, 2, 3],
      [0, 0, 3],
    ];
    const mask = [
      [0, 1, 1],
      [1, 1, 1],
      [0, 0, 1],
      [0, 1, 1],
      [1, 1, 1],
    ];
    const steps = [1, 2, 2, 1, 3];
    const full = tf.variableGrads(
      () =>
        stepLoss(
          model.forward(tf.tensor2d(tokens, undefined, 'int32'), { loops: 3 }),
          tf.tensor2d(target, undefined, 'int32'),
          tf.tensor2d(mask),
          steps,
        ),
      model.variables,
    );
    const total = mask.flat().reduce((a, b) => a + b, 0);
    const splits = [
      [0, 2],
      [2, 5],
    ];
    const acc = accumulateGradients(model.variables, splits.length, (i) => {
      const [lo, hi] = splits[i];
      const st = steps.slice(lo, hi);
      const loops = Math.max(...st);
      return stepLoss(
        model.forward(tf.tensor2d(tokens.slice(lo, hi), undefined, 'int32'), { loops }),
        tf.tensor2d(target.slice(lo, hi), undefined, 'int32'),
        tf.tensor2d(mask.slice(lo, hi)),
        st,
        { denominator: total },
      );
    });
    expect(Math.abs(acc.loss - full.value.dataSync()[0])).toBeLessThan(1e-6);
    for (const name of Object.keys(full.grads)) {
      const a = acc.grads[name].dataSync();
      const b = full.grads[name].dataSync();
      for (let i = 0; i < b.length; i++)
        expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-6 + 1e-5 * Math.abs(b[i]));
    }
    model.dispose();
  });
});
