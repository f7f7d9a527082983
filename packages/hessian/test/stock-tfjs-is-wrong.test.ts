/**
 * Runs WITHOUT enableSecondOrderGradients(): proves the fix is needed. Jest gives every test file
 * its own module registry and global object, hence its own tfjs gradient registry (checked below),
 * so the other files' registration does not leak in here. tfjs' own tape walk (LOOP_FAST_TAPE=0)
 * drops the second-order path through a saved output; @loop/models' walk (installed by
 * initBackend) keeps it, so there only the comparison kernels still need the fix.
 */
import * as tf from '@tensorflow/tfjs';
import { fastGradientsInstalled, initBackend } from '@loop/models';
import { isSecondOrderEnabled } from '../src';
import { crossEntropyMlpHvp, hvpErrorVsFiniteDifference, OUTPUT_SAVING_MODELS } from './helpers';

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

/** Run f with tfjs' own tape walk and saved copies. */
function withTfjsWalk<T>(f: () => T): T {
  process.env.LOOP_FAST_TAPE = '0';
  try {
    return f();
  } finally {
    delete process.env.LOOP_FAST_TAPE;
  }
}

test('this file sees the stock tfjs gradient registry (and the fast walk, switchable)', () => {
  expect(isSecondOrderEnabled()).toBe(false);
  expect(tf.getGradient('Exp').outputsToSave).toEqual([true]);
  expect(fastGradientsInstalled()).toBe(true);
});

test.each(OUTPUT_SAVING_MODELS)(
  'stock gradients: tfjs double backprop disagrees with finite differences, the fast walk agrees: %s',
  (_name, make) => {
    const model = make();
    // Documented stock errors: 0.51 (attention), 0.08 (GELU MLP). Fixed: ~1e-5; fast walk 4.8e-5, 3.2e-5.
    expect(withTfjsWalk(() => hvpErrorVsFiniteDifference(model))).toBeGreaterThan(1e-2);
    expect(hvpErrorVsFiniteDifference(model)).toBeLessThan(1e-3);
    model.dispose();
  },
);

test('stock double backprop through logSumExp throws (no gradient for Equal) with either walk', () => {
  expect(() => withTfjsWalk(crossEntropyMlpHvp)).toThrow(/gradient function not found for Equal/);
  expect(crossEntropyMlpHvp).toThrow(/gradient function not found for Equal/);
});
