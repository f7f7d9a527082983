/** Typed-array batches -> tfjs tensors. The caller owns (and disposes) the returned tensors. */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from './types';

export interface BatchTensors {
  input: tf.Tensor2D;
  target: tf.Tensor2D;
  mask: tf.Tensor2D;
}

export function batchToTensors(batch: Pick<Batch, 'input' | 'target' | 'mask' | 'shape'>): BatchTensors {
  const shape: [number, number] = [batch.shape[0], batch.shape[1]];
  return {
    input: tf.tensor2d(batch.input, shape, 'int32'),
    target: tf.tensor2d(batch.target, shape, 'int32'),
    mask: tf.tensor2d(batch.mask, shape, 'float32'),
  };
}
