// Batch helpers of the algorithmic problem: per-sample loops from the stage, tensors for the model,
// masked-token counts and token-weighted micro-batches.

import * as tf from '@tensorflow/tfjs';
import { sliceBatch, type Batch } from '@loop/tasks';
import type { MicroBatch } from '../engine/problem';
import { loopsFor, type LoopSpec } from '../schedule/stages';

/** A copy of `batch` whose `steps` are the stage's loops per sample. */
export function withStageLoops(batch: Batch, loops: LoopSpec): Batch {
  const steps = Int32Array.from(batch.steps, (s, b) => loopsFor(loops, batch.lengths[b] as number, s));
  return { ...batch, steps };
}

export function tensorsOf(batch: Batch): { tokens: tf.Tensor2D; target: tf.Tensor2D; mask: tf.Tensor2D } {
  const shape: [number, number] = [batch.shape[0], batch.shape[1]];
  return {
    tokens: tf.tensor2d(batch.input, shape, 'int32'),
    target: tf.tensor2d(batch.target, shape, 'int32'),
    mask: tf.tensor2d(batch.mask, shape, 'float32'),
  };
}

/** Number of scored (masked-in) tokens. */
export function maskSum(batch: Batch): number {
  let s = 0;
  for (let i = 0; i < batch.mask.length; i++) s += batch.mask[i] as number;
  return s;
}

/** Micro-batches of consecutive rows, each weighted by its share of the masked tokens. */
export function microBatches(batch: Batch, parts: number): MicroBatch<Batch>[] {
  const rows = batch.shape[0];
  const size = Math.ceil(rows / parts);
  const total = maskSum(batch);
  const out: MicroBatch<Batch>[] = [];
  for (let s = 0; s < rows; s += size) {
    const part = sliceBatch(batch, s, Math.min(rows, s + size));
    out.push({ batch: part, weight: maskSum(part) / total });
  }
  return out;
}
