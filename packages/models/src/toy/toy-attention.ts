import * as tf from '@tensorflow/tfjs';
import { initValues, normalArray, paramStream } from '../gpt/init';
import { logSoftmax } from '../loss/step-loss';

export interface ToyAttentionOptions {
  /** Embedding width d. */
  dim: number;
  /** Vocabulary size |V| (classes of the head too). */
  vocabSize: number;
  /** 1 = Single-Attn; >= 2 = Looped-Attn (the paper uses 3). Default 3. */
  loops?: number;
  seed: number;
  /** Gating of the looped updates: one learned scalar per stream (default), one per coordinate, or none (g = 1). */
  gating?: 'scalar' | 'vector' | 'none';
  /**
   * Fixed positional component added to the fixed token embeddings. Default 'none': the paper's
   * equations (Appendix D) have no positional encoding; 'sinusoidal' is our variant, with which both
   * models reach the Bayes predictor on the Markov language and no gap between them can appear.
   */
  positional?: 'sinusoidal' | 'none';
  /** Std of the trainable W_Q, W_K, W_V, W_O at init (default 1/sqrt(dim)). */
  initStd?: number;
}

export interface ToyAttention {
  readonly loops: number;
  readonly options: Required<ToyAttentionOptions>;
  /** Trainable: W_Q, W_K, W_V [d, d], W_O [d, V], then the gates (looped only). Stable order. */
  readonly variables: tf.Variable[];
  readonly variableNames: string[];
  /** Fixed (non-trainable) token embedding table [V, d]. */
  readonly embedding: tf.Tensor2D;
  /** Logits [B, V] for the next token after each prefix tokens [B, L] (int32). */
  forward(tokens: tf.Tensor2D, weights?: readonly tf.Tensor[]): tf.Tensor2D;
  /** Mean cross-entropy of `targets` [B] given prefixes `tokens` [B, L]. */
  loss(tokens: tf.Tensor2D, targets: tf.Tensor1D, weights?: readonly tf.Tensor[]): tf.Scalar;
  parameterCount(): number;
  dispose(): void;
}

/** Fixed sinusoidal position code (Vaswani et al.), [L, d]; defined for any length L. */
export function sinusoidalPositions(length: number, dim: number): Float32Array {
  const out = new Float32Array(length * dim);
  for (let i = 0; i < length; i++) {
    for (let k = 0; k < dim; k++) {
      const freq = 1 / Math.pow(10000, (2 * Math.floor(k / 2)) / dim);
      out[i * dim + k] = k % 2 === 0 ? Math.sin(i * freq) : Math.cos(i * freq);
    }
  }
  return out;
}

/**
 * Linear self-attention of query rows Z [B, M, d] over E [B, L, d] (no softmax, no residual):
 *   f(E, z) = (1/L) * sum_i (z W_Q . e_i W_K) e_i W_V
 * i.e. row form of the paper's W_V E (E^T W_K^T W_Q z) / L.
 */
export function linearAttention(
  e: tf.Tensor,
  z: tf.Tensor,
  wq: tf.Tensor,
  wk: tf.Tensor,
  wv: tf.Tensor,
): tf.Tensor3D {
  return attend(z, wq, attentionKeys(e, wk, wv));
}

/** Keys (transposed) and values of E [B, L, d]: shared by every query set over the same E. */
interface AttentionKeys {
  kT: tf.Tensor; // [B, d, L]
  v: tf.Tensor; // [B, L, d]
  length: number;
}

function attentionKeys(e: tf.Tensor, wk: tf.Tensor, wv: tf.Tensor): AttentionKeys {
  const [B, L, d] = e.shape as [number, number, number];
  const e2 = tf.reshape(e, [B * L, d]);
  const kT = tf.transpose(tf.reshape(tf.matMul(e2, wk as tf.Tensor2D), [B, L, d]), [0, 2, 1]);
  const v = tf.reshape(tf.matMul(e2, wv as tf.Tensor2D), [B, L, d]);
  return { kT, v, length: L };
}

/** (1/L) (z W_Q) K^T V for query rows z [B, M, d]. */
function attend(z: tf.Tensor, wq: tf.Tensor, { kT, v, length }: AttentionKeys): tf.Tensor3D {
  const [B, M, d] = z.shape as [number, number, number];
  const q = tf.reshape(tf.matMul(tf.reshape(z, [B * M, d]) as tf.Tensor2D, wq as tf.Tensor2D), [B, M, d]);
  const scores = tf.mul(tf.matMul(q, kT), 1 / length); // [B, M, L]
  return tf.matMul(scores, v) as tf.Tensor3D; // [B, M, d]
}

let toyCounter = 0;

/**
 * Toy models of Section 3 / Appendix D. Fixed embeddings E_0 = onehot(x) W_E (+ P, a fixed
 * sinusoidal code, in the 'sinusoidal' variant only), z_0 = last row of E_0.
 *  Single-Attn (loops = 1): z = f(E_0, z_0).
 *  Looped-Attn (loops = K): for k = 1..K
 *     z_k = z_{k-1} + g_z * f(E_{k-1}, z_{k-1})
 *     E_k = E_{k-1} + g_E * f(E_{k-1}, E_{k-1})      (every token is a query)
 *   with g = sigmoid(gamma) (learned, shared across loops). Logits = z W_O.
 */
export function createToyAttention(opts: ToyAttentionOptions): ToyAttention {
  const o: Required<ToyAttentionOptions> = {
    loops: 3,
    gating: 'scalar',
    positional: 'none',
    initStd: 1 / Math.sqrt(opts.dim),
    ...opts,
  };
  const { dim: d, vocabSize: V, loops: K, seed } = o;
  for (const [name, v] of [
    ['dim', d],
    ['vocabSize', V],
    ['loops', K],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`createToyAttention: ${name} must be a positive integer; got ${String(v)}`);
  }
  if (!Number.isFinite(seed))
    throw new Error(`createToyAttention: seed must be a finite number; got ${String(seed)}`);
  if (!['scalar', 'vector', 'none'].includes(o.gating)) {
    throw new Error(
      `createToyAttention: gating must be 'scalar', 'vector' or 'none'; got '${String(o.gating)}'`,
    );
  }
  if (!['sinusoidal', 'none'].includes(o.positional)) {
    throw new Error(
      `createToyAttention: positional must be 'sinusoidal' or 'none'; got '${String(o.positional)}'`,
    );
  }
  const looped = K > 1;
  const specs: { name: string; shape: number[]; values: Float32Array }[] = [];
  const normal = (name: string, shape: number[]): void => {
    specs.push({
      name,
      shape,
      values: initValues(shape[0] * shape[1], { kind: 'normal', std: o.initStd }, seed, name),
    });
  };
  normal('W_Q', [d, d]);
  normal('W_K', [d, d]);
  normal('W_V', [d, d]);
  normal('W_O', [d, V]);
  if (looped && o.gating !== 'none') {
    const n = o.gating === 'scalar' ? 1 : d;
    specs.push(
      { name: 'gamma_z', shape: [n], values: new Float32Array(n) },
      { name: 'gamma_E', shape: [n], values: new Float32Array(n) },
    );
  }
  const prefix = `toyattn${toyCounter++}`;
  const variables = specs.map((s) =>
    tf.tidy(() => tf.variable(tf.tensor(s.values, s.shape), true, `${prefix}/${s.name}`)),
  );
  // Fixed token embeddings W_E ~ N(0, 1/d): nearly orthogonal rows, never trained.
  const embedding = tf.tensor2d(normalArray(V * d, 1 / Math.sqrt(d), paramStream(seed, 'W_E')), [V, d]);
  const posCache = new Map<number, tf.Tensor2D>();
  const positions = (L: number): tf.Tensor2D => {
    let p = posCache.get(L);
    if (!p) {
      p = tf.keep(tf.tensor2d(sinusoidalPositions(L, d), [L, d]));
      posCache.set(L, p);
    }
    return p;
  };

  const pick = (weights?: readonly tf.Tensor[]): readonly tf.Tensor[] => {
    const w = weights ?? variables;
    if (w.length !== specs.length)
      throw new Error(`toy forward: weights must hold ${specs.length} tensors; got ${w.length}`);
    return w;
  };

  const forward = (tokens: tf.Tensor2D, weights?: readonly tf.Tensor[]): tf.Tensor2D =>
    tf.tidy(() => {
      if (tokens.rank !== 2)
        throw new Error(`toy forward: tokens must be [batch, length]; got rank ${tokens.rank}`);
      const [B, L] = tokens.shape;
      const [wq, wk, wv, wo, gz, ge] = pick(weights);
      const oh = tf.cast(tf.oneHot(tf.reshape(tf.cast(tokens, 'int32'), [B * L]), V), 'float32');
      let e: tf.Tensor = tf.reshape(tf.matMul(oh, embedding), [B, L, d]);
      if (o.positional === 'sinusoidal') e = tf.add(e, positions(L));
      let z: tf.Tensor = tf.slice(e, [0, L - 1, 0], [B, 1, d]); // [B, 1, d]
      if (!looped) {
        z = linearAttention(e, z, wq, wk, wv);
      } else {
        const gateZ = gz ? tf.sigmoid(gz) : undefined;
        const gateE = ge ? tf.sigmoid(ge) : undefined;
        for (let k = 0; k < K; k++) {
          // Both updates of loop k read E_{k-1}: its keys and values are computed once.
          const keys = attentionKeys(e, wk, wv);
          const dz = attend(z, wq, keys);
          z = tf.add(z, gateZ ? tf.mul(gateZ, dz) : dz);
          if (k === K - 1) break; // E_K would not be read by anything
          const dE = attend(e, wq, keys);
          e = tf.add(e, gateE ? tf.mul(gateE, dE) : dE);
        }
      }
      return tf.matMul(tf.reshape(z, [B, d]) as tf.Tensor2D, wo as tf.Tensor2D);
    });

  return {
    loops: K,
    options: o,
    variables,
    variableNames: specs.map((s) => s.name),
    embedding,
    forward,
    loss(tokens, targets, weights) {
      return tf.tidy(() => {
        const logits = forward(tokens, weights);
        if (targets.shape[0] !== logits.shape[0]) {
          throw new Error(`toy loss: targets must have ${logits.shape[0]} entries; got ${targets.shape[0]}`);
        }
        const oh = tf.cast(tf.oneHot(tf.cast(targets, 'int32'), V), 'float32');
        return tf.neg(tf.mean(tf.sum(tf.mul(logSoftmax(logits), oh), -1))) as tf.Scalar;
      });
    },
    parameterCount: () => specs.reduce((a, s) => a + s.values.length, 0),
    dispose() {
      variables.forEach((v) => v.dispose());
      embedding.dispose();
      posCache.forEach((p) => p.dispose());
      posCache.clear();
    },
  };
}
