/** Test helpers: analytic matrices and small tfjs models written directly with tf ops. */
import * as tf from '@tensorflow/tfjs';
import { createProbeRng, gaussianVector, type ProbeRng } from '../src/rng';
import { finiteDifferenceHvp, hvp } from '../src';

/** Q from a QR (modified Gram-Schmidt) of a Gaussian matrix: a random orthogonal matrix, rows orthonormal. */
export function randomOrthogonal(n: number, rng: ProbeRng): Float64Array[] {
  const rows: Float64Array[] = [];
  while (rows.length < n) {
    const v = gaussianVector(n, rng);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of rows) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= d * q[i];
      }
    }
    let nv = 0;
    for (let i = 0; i < n; i++) nv += v[i] * v[i];
    nv = Math.sqrt(nv);
    if (nv > 1e-8) rows.push(v.map((x) => x / nv));
  }
  return rows;
}

/** A = sum_k lambda_k q_k q_k^T (row-major), with q_k = rows of a random orthogonal matrix. */
export function symmetricWithSpectrum(
  lambdas: readonly number[],
  seed: number,
): { A: Float64Array; Q: Float64Array[] } {
  const n = lambdas.length;
  const Q = randomOrthogonal(n, createProbeRng(seed));
  const A = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] += lambdas[k] * Q[k][i] * Q[k][j];
  }
  return { A, Q };
}

export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    nb += b[i] ** 2;
  }
  return Math.sqrt(d / nb);
}

export function sorted(values: ArrayLike<number>): number[] {
  return Array.from(values).sort((x, y) => x - y);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const init = (shape: number[], seed: number, scale: number): tf.Variable =>
  tf.variable(tf.mul<tf.Tensor>(tf.randomNormal(shape, 0, 1, 'float32', seed), scale));

/** GELU, tanh approximation (GPT-2's). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.mul(
      tf.mul(0.5, x),
      tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))),
    ),
  );
}

function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.div(centered, tf.sqrt(tf.add(variance, 1e-5))), gain), bias);
}

export interface TestModel {
  name: string;
  params: tf.Variable[];
  loss: () => tf.Scalar;
  dispose(): void;
}

/** Single-head softmax attention with a linear read-out and MSE loss. */
export function softmaxAttention(seed = 1): TestModel {
  const d = 4;
  const x = tf.randomNormal([2, 5, d], 0, 1, 'float32', seed);
  const y = tf.randomNormal([2, 5, d], 0, 1, 'float32', seed + 1);
  const params = [init([d, d], seed + 2, 0.7), init([d, d], seed + 3, 0.7), init([d, d], seed + 4, 0.7)];
  const [wq, wk, wv] = params;
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const q = tf.matMul(tf.reshape(x, [-1, d]), wq).reshape([2, 5, d]);
      const k = tf.matMul(tf.reshape(x, [-1, d]), wk).reshape([2, 5, d]);
      const v = tf.matMul(tf.reshape(x, [-1, d]), wv).reshape([2, 5, d]);
      const att = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(d)));
      return tf.mean<tf.Scalar>(tf.square(tf.sub(tf.matMul(att, v), y)));
    });
  return { name: 'softmax attention', params, loss, dispose: () => tf.dispose([x, y, ...params]) };
}

/** Two-layer GELU MLP with a softmax cross-entropy (x - logSumExp) or MSE loss. */
export function geluMlp(seed = 11, lossKind: 'ce' | 'mse' = 'ce'): TestModel {
  const x = tf.randomNormal([6, 5], 0, 1, 'float32', seed);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
  const params = [init([5, 8], seed + 1, 0.6), init([8], seed + 2, 0.1), init([8, 3], seed + 3, 0.6)];
  const [w1, b1, w2] = params;
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const logits = tf.matMul(gelu(tf.add(tf.matMul(x, w1), b1)), w2);
      if (lossKind === 'mse') return tf.mean<tf.Scalar>(tf.square(tf.sub(logits, labels)));
      const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
      return tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(labels, logp), -1)));
    });
  return { name: `GELU MLP (${lossKind})`, params, loss, dispose: () => tf.dispose([x, labels, ...params]) };
}

/**
 * A tiny GPT-like block: token embedding (gather) + learned positions, pre-LN causal softmax
 * self-attention, GELU MLP, final LN, tied-free head, next-token cross-entropy.
 */
export function gptBlock(seed = 21): TestModel {
  const V = 5;
  const d = 6;
  const T = 4;
  const tokens = tf.tensor2d(
    [
      [0, 1, 2, 3],
      [4, 3, 2, 1],
    ],
    [2, T],
    'int32',
  );
  const targets = tf.oneHot(
    tf.tensor2d(
      [
        [1, 2, 3, 4],
        [3, 2, 1, 0],
      ],
      [2, T],
      'int32',
    ),
    V,
  );
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
  const mask = tf.mul(tf.sub(1, causal), -1e9);
  const params = [
    init([V, d], seed, 0.5), // wte
    init([T, d], seed + 1, 0.2), // wpe
    tf.variable(tf.ones([d])), // ln1 gain
    tf.variable(tf.zeros([d])), // ln1 bias
    init([d, 3 * d], seed + 2, 0.4), // qkv
    init([d, d], seed + 3, 0.4), // proj
    tf.variable(tf.ones([d])), // ln2 gain
    tf.variable(tf.zeros([d])), // ln2 bias
    init([d, 2 * d], seed + 4, 0.4), // fc
    init([2 * d, d], seed + 5, 0.4), // fc proj
    init([d, V], seed + 6, 0.4), // head
  ];
  const [wte, wpe, g1, b1, wqkv, wproj, g2, b2, wfc, wfc2, whead] = params;
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      let h = tf.add(tf.gather(wte, tokens), wpe); // [B, T, d]
      const a = tf.reshape(layerNorm(h, g1, b1), [-1, d]);
      const qkv = tf.reshape(tf.matMul(a, wqkv), [2, T, 3 * d]);
      const [q, k, v] = tf.split(qkv, 3, -1);
      const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(d)), mask);
      const att = tf.matMul(tf.softmax(scores), v);
      h = tf.add(h, tf.reshape(tf.matMul(tf.reshape(att, [-1, d]), wproj), [2, T, d]));
      const m = tf.reshape(layerNorm(h, g2, b2), [-1, d]);
      h = tf.add(h, tf.reshape(tf.matMul(gelu(tf.matMul(m, wfc)), wfc2), [2, T, d]));
      const logits = tf.reshape(tf.matMul(tf.reshape(h, [-1, d]), whead), [2, T, V]);
      const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
      return tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(targets, logp), -1)));
    });
  return {
    name: 'GPT block',
    params,
    loss,
    dispose: () => tf.dispose([tokens, targets, causal, mask, ...params]),
  };
}

/** The models the stock-registry tests check HVPs on (see stock-tfjs-is-wrong.test.ts). */
export const OUTPUT_SAVING_MODELS: [string, () => TestModel][] = [
  ['softmax attention', () => softmaxAttention()],
  ['GELU MLP, MSE loss', () => geluMlp(11, 'mse')],
];

/** Relative error of hvp() against a central finite difference, for a random direction. */
export function hvpErrorVsFiniteDifference(model: TestModel): number {
  const n = model.params.reduce((s, p) => s + p.size, 0);
  const v = gaussianVector(n, createProbeRng(3));
  return relErr(hvp(model.loss, model.params, v), finiteDifferenceHvp(model.loss, model.params, v));
}

/** hvp() of the GELU MLP with a logSumExp cross-entropy (throws without second-order gradients). */
export function crossEntropyMlpHvp(): void {
  const model = geluMlp(11, 'ce');
  try {
    const n = model.params.reduce((s, p) => s + p.size, 0);
    hvp(model.loss, model.params, new Float64Array(n).fill(1));
  } finally {
    model.dispose();
  }
}
