import * as tf from '@tensorflow/tfjs';
import type { Weights } from './reference-gpt';

/** Read a model's variables into float64 arrays keyed by logical names. */
export function readWeights(vars: tf.Variable[], names: string[]): Weights {
  const w: Weights = {};
  vars.forEach((v, i) => {
    w[names[i]] = { shape: v.shape.slice(), data: Float64Array.from(v.dataSync()) };
  });
  return w;
}

/** Overwrite every variable with seeded uniform noise (so biases / LN params are non-trivial). */
export function randomizeVariables(vars: tf.Variable[], seed: number, scale = 0.5): void {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  for (const v of vars) {
    const n = v.size;
    const data = Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale);
    v.assign(tf.tensor(data, v.shape));
  }
}
