/** A flattened parameter-vector view over a list of tfjs tensors (row-major, in list order). */
import * as tf from '@tensorflow/tfjs';

export function parameterCount(params: readonly tf.Tensor[]): number {
  return params.reduce((n, p) => n + p.size, 0);
}

/** Concatenates the tensors' values into one Float64Array (reads data synchronously). */
export function flatten(tensors: readonly tf.Tensor[]): Float64Array {
  const out = new Float64Array(parameterCount(tensors));
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync(), offset);
    offset += t.size;
  }
  return out;
}

/** Splits a flat vector into float32 tensors shaped like `params` (caller disposes them). */
export function unflatten(v: ArrayLike<number>, params: readonly tf.Tensor[]): tf.Tensor[] {
  const n = parameterCount(params);
  if (v.length !== n) {
    throw new Error(`vector length must equal the parameter count ${n}, got ${v.length}`);
  }
  const out: tf.Tensor[] = [];
  let offset = 0;
  for (const p of params) {
    const chunk = new Float32Array(p.size);
    for (let i = 0; i < p.size; i++) chunk[i] = v[offset + i];
    out.push(tf.tensor(chunk, p.shape, 'float32'));
    offset += p.size;
  }
  return out;
}

/** Writes a flat vector into the variables (float32). */
export function assignFlat(params: readonly tf.Variable[], v: ArrayLike<number>): void {
  const parts = unflatten(v, params);
  params.forEach((p, i) => p.assign(parts[i]));
  tf.dispose(parts);
}
