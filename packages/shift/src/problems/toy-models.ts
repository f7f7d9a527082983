// Toy Single-Attn / Looped-Attn models (Section 3) sharing one set of weights, so a schedule can
// switch the loop count on the same parameters. @loop/models' toy model fixes its loop count at
// construction and accepts replacement weights in `forward`; the model with the most loops owns
// the variables (W_Q, W_K, W_V, W_O, then its gates) and the others run on a prefix of them
// (Single-Attn uses no gates, so during Stage I the gates receive no gradient).

import * as tf from '@tensorflow/tfjs';
import { createToyAttention, logSoftmax, type ToyAttention, type ToyAttentionOptions } from '@loop/models';
import { checkInt, ConfigError } from '../util/validate';

/** A model that predicts the next token after a prefix, run with a chosen number of loops. */
export interface LoopedClassifier {
  /** Trainable variables shared by every loop count. */
  readonly variables: tf.Variable[];
  /** Logical names aligned with `variables` (W_Q, W_K, W_V, W_O, gamma_z, gamma_E). */
  readonly variableNames: readonly string[];
  /** Loop counts this classifier supports. */
  readonly loopCounts: readonly number[];
  readonly dim: number;
  readonly vocabSize: number;
  /** Options of the model with the most loops (it owns the variables): enough to rebuild it. */
  readonly config: Required<ToyAttentionOptions>;
  /** Logits [B, V] for the token after each prefix `tokens` [B, L] with `loops` loops. */
  logits(tokens: tf.Tensor2D, loops: number): tf.Tensor2D;
  /** Mean cross-entropy of `targets` [B] after `tokens` [B, L] with `loops` loops (through `logits`). */
  loss(tokens: tf.Tensor2D, targets: tf.Tensor1D, loops: number): tf.Scalar;
  /** The variables the `loops`-loop model reads (Single-Attn: W_Q, W_K, W_V, W_O only). */
  parameters(loops: number): tf.Variable[];
  dispose(): void;
}

export interface SharedToyOptions extends Omit<ToyAttentionOptions, 'loops'> {
  /** Loop counts to support, e.g. [1, 3] for SHIFT on the toy model (default [1, 3]). */
  loops?: readonly number[];
}

/** Toy attention models for several loop counts on one shared set of weights. */
export function sharedToyModels(options: SharedToyOptions): LoopedClassifier {
  const loopCounts = [...new Set(options.loops ?? [1, 3])].sort((a, b) => a - b);
  if (loopCounts.length === 0)
    throw new ConfigError('sharedToyModels: loops must list at least one loop count');
  loopCounts.forEach((k, i) => checkInt(`loops[${i}]`, k, 1));
  const models = new Map<number, ToyAttention>();
  for (const k of loopCounts) models.set(k, createToyAttention({ ...options, loops: k }));
  const owner = models.get(loopCounts[loopCounts.length - 1] as number) as ToyAttention;
  for (const [k, m] of models) {
    if (m === owner) continue;
    m.variables.forEach((v, i) => {
      const o = owner.variables[i];
      if (!o || o.shape.join('x') !== v.shape.join('x')) {
        throw new ConfigError(
          `sharedToyModels: the ${k}-loop model's parameter ${m.variableNames[i]} has no counterpart in the ${owner.loops}-loop model`,
        );
      }
    });
  }
  const modelOf = (loops: number): ToyAttention => {
    const m = models.get(loops);
    if (!m)
      throw new ConfigError(
        `toy model: loops = ${loops} is not available; sharedToyModels was built for loops ${loopCounts.join(', ')}`,
      );
    return m;
  };
  return {
    variables: owner.variables,
    variableNames: owner.variableNames,
    loopCounts,
    dim: options.dim,
    vocabSize: options.vocabSize,
    config: owner.options,
    logits(tokens, loops) {
      const m = modelOf(loops);
      return m === owner
        ? owner.forward(tokens)
        : m.forward(tokens, owner.variables.slice(0, m.variables.length));
    },
    loss(tokens, targets, loops) {
      // The same ops as ToyAttention.loss, on `this.logits` so a wrapped `logits` sees every call.
      return tf.tidy(() => {
        const logits = this.logits(tokens, loops);
        const oh = tf.cast(tf.oneHot(tf.cast(targets, 'int32'), options.vocabSize), 'float32');
        return tf.neg(tf.mean(tf.sum(tf.mul(logSoftmax(logits), oh), -1))) as tf.Scalar;
      });
    },
    parameters(loops) {
      return owner.variables.slice(0, modelOf(loops).variables.length);
    },
    dispose() {
      models.forEach((m) => m.dispose());
    },
  };
}
