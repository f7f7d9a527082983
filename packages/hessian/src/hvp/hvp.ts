/** Gradients and Hessian-vector products by double backprop over a list of variables. */
import * as tf from '@tensorflow/tfjs';
import type { MatVec } from '../linalg';
import { checkVectorLength } from '../linalg';
import { flatten, parameterCount, unflatten } from './flatten';

/** A scalar loss that reads the variables it depends on (as in tf.variableGrads). */
export type LossFn = () => tf.Scalar;

function checkParams(params: readonly tf.Variable[]): void {
  if (!Array.isArray(params as unknown) || (params as readonly unknown[]).length === 0) {
    throw new Error('params must be a non-empty array of tf.Variable');
  }
  for (const p of params) {
    if (p.dtype !== 'float32') throw new Error(`params must be float32, got ${p.dtype} for ${p.name}`);
  }
}

/** Engine-level gradients keep the list order and give zeros for unconnected variables. */
function gradientsOf(f: () => tf.Scalar, params: readonly tf.Variable[]): tf.Tensor[] {
  const { grads } = tf.engine().gradients(f, params as tf.Variable[], undefined, true);
  return params.map((p, i) => grads[i] ?? tf.zerosLike(p));
}

function flatConcat(tensors: tf.Tensor[]): tf.Tensor1D {
  return tf.concat(tensors.map((t) => tf.reshape(t, [-1])));
}

/** The gradient of the loss as a flat Float64Array (float32 precision). */
export function gradientVector(lossFn: LossFn, params: readonly tf.Variable[]): Float64Array {
  checkParams(params);
  const g = tf.tidy(() => flatConcat(gradientsOf(lossFn, params)));
  const out = Float64Array.from(g.dataSync());
  g.dispose();
  return out;
}

/** The loss and its flat gradient in one pass. */
export function valueAndGradientVector(
  lossFn: LossFn,
  params: readonly tf.Variable[],
): { value: number; gradient: Float64Array } {
  checkParams(params);
  const [value, g] = tf.tidy(() => {
    const { value, grads } = tf.engine().gradients(lossFn, params as tf.Variable[], undefined, true);
    return [value, flatConcat(params.map((p, i) => grads[i] ?? tf.zerosLike(p)))];
  });
  const out = { value: value.dataSync()[0], gradient: Float64Array.from(g.dataSync()) };
  tf.dispose([value, g]);
  return out;
}

/**
 * H v by double backprop: the vector-Jacobian product of the flat gradient with v, v^T (dg/dθ),
 * which is H v since H is symmetric. v seeds the outer backward pass directly (engine.gradients
 * with dy = v) instead of differentiating the scalar <grad L, v>: the same products, without a
 * multiply, a sum and their gradients per parameter.
 * Exact only with enableSecondOrderGradients() (stock tfjs 4.22 silently drops terms).
 */
export function hvp(lossFn: LossFn, params: readonly tf.Variable[], v: ArrayLike<number>): Float64Array {
  checkParams(params);
  checkVectorLength('v', v, parameterCount(params));
  const result = tf.tidy(() => {
    const seed = tf.tensor1d(Float32Array.from(v), 'float32');
    const flatGradient = (): tf.Tensor => flatConcat(gradientsOf(lossFn, params));
    const { grads } = tf.engine().gradients(flatGradient, params as tf.Variable[], seed, true);
    return flatConcat(params.map((p, i) => grads[i] ?? tf.zerosLike(p)));
  });
  const out = Float64Array.from(result.dataSync());
  result.dispose();
  return out;
}

/** A MatVec that also counts its calls (the HVP budget). */
export interface CountedMatVec extends MatVec {
  /** Number of HVPs evaluated so far. */
  readonly calls: number;
  /** Parameter dimension. */
  readonly dim: number;
}

/** The model's Hessian as a MatVec over the flattened parameter vector, for the iterative estimators. */
export function modelHvp(lossFn: LossFn, params: readonly tf.Variable[]): CountedMatVec {
  checkParams(params);
  let calls = 0;
  const dim = parameterCount(params);
  const f = (v: Float64Array): Float64Array => {
    calls++;
    return hvp(lossFn, params, v);
  };
  Object.defineProperty(f, 'calls', { get: () => calls });
  Object.defineProperty(f, 'dim', { value: dim });
  return f as CountedMatVec;
}

export interface FiniteDifferenceOptions {
  /** Step size; default 1e-2 * max(1, ||theta||_inf) / ||v||. */
  eps?: number;
}

/**
 * Central finite difference of the gradient, (g(theta + eps v) - g(theta - eps v)) / (2 eps):
 * an independent cross-check of hvp(). The variables are restored bit-exactly afterwards.
 */
export function finiteDifferenceHvp(
  lossFn: LossFn,
  params: readonly tf.Variable[],
  v: ArrayLike<number>,
  options: FiniteDifferenceOptions = {},
): Float64Array {
  checkParams(params);
  const n = parameterCount(params);
  checkVectorLength('v', v, n);
  const theta = flatten(params);
  let vNorm = 0;
  let thetaMax = 0;
  for (let i = 0; i < n; i++) {
    vNorm += v[i] * v[i];
    thetaMax = Math.max(thetaMax, Math.abs(theta[i]));
  }
  vNorm = Math.sqrt(vNorm);
  if (vNorm === 0) return new Float64Array(n);
  const eps = options.eps ?? (1e-2 * Math.max(1, thetaMax)) / vNorm;
  if (!(eps > 0)) throw new Error(`eps must be positive, got ${eps}`);
  const originals = params.map((p) => tf.clone(p));
  const shifted = (sign: number): Float64Array => {
    const point = new Float64Array(n);
    for (let i = 0; i < n; i++) point[i] = theta[i] + sign * eps * v[i];
    const parts = unflatten(point, params);
    params.forEach((p, i) => p.assign(parts[i]));
    tf.dispose(parts);
    return gradientVector(lossFn, params);
  };
  try {
    const plus = shifted(1);
    const minus = shifted(-1);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (plus[i] - minus[i]) / (2 * eps);
    return out;
  } finally {
    params.forEach((p, i) => p.assign(originals[i]));
    tf.dispose(originals);
  }
}
