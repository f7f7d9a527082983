import * as tf from '@tensorflow/tfjs';
import { createLoopedGPT, createToyAttention, initBackend } from '../src';
import { TINY_GPT } from './helpers/tiny-gpt';

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

// Oracle: creating and disposing a model must return tfjs's live-tensor count to where it was.
it('creating and disposing models leaves no tensors behind', () => {
  const before = tf.memory().numTensors;
  const gpt = createLoopedGPT({ ...TINY_GPT, vocabSize: 4 }, { seed: 0 });
  expect(tf.memory().numTensors - before).toBe(gpt.variables.length);
  gpt.dispose();
  const toy = createToyAttention({ dim: 4, vocabSize: 3, loops: 3, seed: 0 });
  toy.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
