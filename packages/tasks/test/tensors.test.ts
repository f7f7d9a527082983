// batchToTensors: dtypes, shapes and values equal the typed arrays; no leaked tensors.
import * as tf from '@tensorflow/tfjs';
import { batchToTensors, createRng, getTask } from '../src';

beforeAll(async () => {
  // tfjs advertises tfjs-node once per process on first tensor creation; keep the test log clean.
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  await tf.setBackend('cpu');
  await tf.ready();
});

test('tensors mirror the batch', () => {
  const batch = getTask('addition').batch({ size: 4, maxLength: 6, rng: createRng(1) });
  const before = tf.memory().numTensors;
  const t = batchToTensors(batch);
  expect(t.input.shape).toEqual([4, 21]);
  expect(t.input.dtype).toBe('int32');
  expect(t.target.dtype).toBe('int32');
  expect(t.mask.dtype).toBe('float32');
  expect(Array.from(t.input.dataSync())).toEqual(Array.from(batch.input));
  expect(Array.from(t.target.dataSync())).toEqual(Array.from(batch.target));
  expect(Array.from(t.mask.dataSync())).toEqual(Array.from(batch.mask));
  tf.dispose([t.input, t.target, t.mask]);
  expect(tf.memory().numTensors).toBe(before);
});
