import * as tf from '@tensorflow/tfjs';
import { causalSelfAttention } from './attention';
import { layerNorm } from '@loop/runtime';
import { mlp } from './mlp';

/** The tensors of one GPT-2 block (names follow nanoGPT). */
export interface BlockParams {
  ln1G: tf.Tensor;
  ln1B: tf.Tensor;
  attnW: tf.Tensor; // [C, 3C] fused q|k|v
  attnB: tf.Tensor; // [3C]
  attnProjW: tf.Tensor; // [C, C]
  attnProjB: tf.Tensor;
  ln2G: tf.Tensor;
  ln2B: tf.Tensor;
  fcW: tf.Tensor; // [C, 4C]
  fcB: tf.Tensor;
  fcProjW: tf.Tensor; // [4C, C]
  fcProjB: tf.Tensor;
}

/** Pre-LayerNorm GPT-2 block on x [B*T, C]: x + Attn(LN1 x), then + MLP(LN2 .). */
export function gptBlock(
  x2d: tf.Tensor,
  p: BlockParams,
  dims: { batch: number; seqLen: number; nHead: number },
  maskBias: tf.Tensor,
): tf.Tensor2D {
  const a = causalSelfAttention(
    layerNorm(x2d, p.ln1G, p.ln1B),
    p.attnW,
    p.attnB,
    p.attnProjW,
    p.attnProjB,
    dims,
    maskBias,
  );
  const x1 = tf.add(x2d, a);
  return tf.add(x1, mlp(layerNorm(x1, p.ln2G, p.ln2B), p.fcW, p.fcB, p.fcProjW, p.fcProjB)) as tf.Tensor2D;
}
