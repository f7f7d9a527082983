/** Helpers on `Batch` typed arrays: row extraction and micro-batch splitting (no tfjs). */
import type { Batch, Example } from './types';
import { checkInt } from './validation';

/** Rows [start, end) of a batch as a new batch (copies). */
export function sliceBatch(batch: Batch, start: number, end: number): Batch {
  const [size, seqLen] = batch.shape;
  checkInt('start', start, 0, size - 1);
  checkInt('end', end, start + 1, size);
  const a = start * seqLen;
  const b = end * seqLen;
  return {
    input: batch.input.slice(a, b),
    target: batch.target.slice(a, b),
    mask: batch.mask.slice(a, b),
    lengths: batch.lengths.slice(start, end),
    steps: batch.steps.slice(start, end),
    shape: [end - start, seqLen],
  };
}

/** Splits a batch into consecutive micro-batches of at most `size` rows (e.g. to bound memory). */
export function splitBatch(batch: Batch, size: number): Batch[] {
  checkInt('size', size, 1);
  const out: Batch[] = [];
  for (let s = 0; s < batch.shape[0]; s += size)
    out.push(sliceBatch(batch, s, Math.min(batch.shape[0], s + size)));
  return out;
}

/** Row i of a batch as an `Example`. */
export function batchRow(batch: Batch, i: number): Example {
  const [size, seqLen] = batch.shape;
  checkInt('i', i, 0, size - 1);
  const a = i * seqLen;
  return {
    input: Array.from(batch.input.subarray(a, a + seqLen)),
    target: Array.from(batch.target.subarray(a, a + seqLen)),
    mask: Array.from(batch.mask.subarray(a, a + seqLen)),
    length: batch.lengths[i],
    steps: batch.steps[i],
  };
}
