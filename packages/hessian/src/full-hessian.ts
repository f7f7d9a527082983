/** Full Hessians of small models: one HVP per basis vector, symmetrised, in float64. */
import type * as tf from '@tensorflow/tfjs';
import type { MatVec } from './linalg';
import { checkInt } from './linalg';
import { hvp, type LossFn } from './hvp/hvp';
import { parameterCount } from './hvp/flatten';

export interface FullHessianOptions {
  /** Called after each column with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Average H and H^T (default true): removes float32 round-off asymmetry. */
  symmetrize?: boolean;
}

/** The n x n matrix of a MatVec (row-major), built from H e_i. */
export function matrixFromMatVec(matvec: MatVec, n: number, options: FullHessianOptions = {}): Float64Array {
  checkInt('n', n, 1);
  const H = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    e[i] = 1;
    const col = matvec(e);
    e[i] = 0;
    if (col.length !== n) throw new Error(`matvec must return length ${n}, got ${col.length}`);
    // H e_i is column i; stored as row i, equal for a symmetric H.
    H.set(col, i * n);
    options.onProgress?.(i + 1, n);
  }
  if (options.symmetrize ?? true) {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const s = 0.5 * (H[i * n + j] + H[j * n + i]);
        H[i * n + j] = s;
        H[j * n + i] = s;
      }
    }
  }
  return H;
}

/** Full Hessian of lossFn with respect to the flattened params (row-major n x n Float64Array). */
export function fullHessian(
  lossFn: LossFn,
  params: readonly tf.Variable[],
  options: FullHessianOptions = {},
): Float64Array {
  const n = parameterCount(params);
  return matrixFromMatVec((v) => hvp(lossFn, params, v), n, options);
}
