import * as tf from '@tensorflow/tfjs';
import { softmaxLastAxis } from '@loop/runtime';
import { linear } from './mlp';

/** Large negative score for masked (future) positions, as in the reference. */
export const MASKED_SCORE = -1e9;

/** [T, T] additive causal mask: 0 on and below the diagonal, MASKED_SCORE above. */
export function causalMaskBias(seqLen: number): tf.Tensor2D {
  const data = new Float32Array(seqLen * seqLen);
  for (let i = 0; i < seqLen; i++) for (let j = i + 1; j < seqLen; j++) data[i * seqLen + j] = MASKED_SCORE;
  return tf.tensor2d(data, [seqLen, seqLen]);
}

/**
 * Multi-head causal self-attention on x [B*T, C] (rows batch-major). One fused QKV projection
 * [C, 3C]; scores q k^T / sqrt(head_dim) computed with K already transposed by a permutation, so no
 * matMul needs a transpose flag; output projection back to [B*T, C].
 */
export function causalSelfAttention(
  x2d: tf.Tensor,
  wQkv: tf.Tensor,
  bQkv: tf.Tensor,
  wProj: tf.Tensor,
  bProj: tf.Tensor,
  dims: { batch: number; seqLen: number; nHead: number },
  maskBias: tf.Tensor,
): tf.Tensor2D {
  const { batch: B, seqLen: T, nHead: H } = dims;
  const C = x2d.shape[1] as number;
  const hd = C / H;
  // The fused [C, 3C] QKV parameter is sliced (cheap, C x C) and applied as three 2-D matmuls:
  // on wasm, splitting the [B*T, 3C] product (SplitV) or permuting it as a 5-D tensor cost more
  // than the matmuls themselves.
  const proj = (i: number): tf.Tensor =>
    linear(x2d, tf.slice(wQkv, [0, i * C], [C, C]), tf.slice(bQkv, [i * C], [C]));
  const qh = tf.transpose(tf.reshape(tf.mul(proj(0), 1 / Math.sqrt(hd)), [B, T, H, hd]), [0, 2, 1, 3]); // [B,H,T,hd]
  const kt = tf.transpose(tf.reshape(proj(1), [B, T, H, hd]), [0, 2, 3, 1]); // [B,H,hd,T]
  const vh = tf.transpose(tf.reshape(proj(2), [B, T, H, hd]), [0, 2, 1, 3]); // [B,H,T,hd]
  const scores = tf.add(tf.matMul(qh, kt), maskBias); // [B,H,T,T]
  const att = softmaxLastAxis(scores);
  const y = tf.matMul(att, vh); // [B,H,T,hd]
  const merged = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B * T, C]);
  return linear(merged, wProj, bProj);
}
