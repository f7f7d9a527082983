/** The looped forward pass: read-in, the blocks applied `loops` times, and a read-out after each loop. */
import * as tf from '@tensorflow/tfjs';
import { layerNorm } from '@loop/runtime';
import { causalMaskBias } from './attention';
import { gptBlock } from './block';
import type { GPTConfig } from './config';
import { linear } from './mlp';
import { blockParams } from './param-specs';

/** Read-in e = onehot(x) W (+ b) (+ wpe[:T]) as [B*T, C]; one-hot matMul because wasm has no gather gradient. */
export function readIn(config: GPTConfig, p: Record<string, tf.Tensor>, tokens: tf.Tensor2D): tf.Tensor2D {
  const [B, T] = tokens.shape;
  const oh = tf.reshape(tf.cast(tf.oneHot(tf.cast(tokens, 'int32'), config.vocabSize), 'float32'), [
    B * T,
    config.vocabSize,
  ]);
  let e: tf.Tensor = linear(oh, p['wte.w'], config.readIn === 'onehot' ? p['wte.b'] : undefined);
  if (config.positional === 'learned') {
    const C = config.nEmbd;
    const pos = tf.slice(p['wpe.w'], [0, 0], [T, C]);
    e = tf.reshape(tf.add(tf.reshape(e, [B, T, C]), pos), [B * T, C]);
  }
  return e as tf.Tensor2D;
}

/** Read-out: LN_f is applied by the loop; this is the linear head on [B*T, C] -> [B, T, O]. */
export function readOut(
  config: GPTConfig,
  p: Record<string, tf.Tensor>,
  h2d: tf.Tensor,
  batch: number,
  seqLen: number,
): tf.Tensor3D {
  const O = config.outputSize ?? config.vocabSize;
  return tf.reshape(linear(h2d, p['lm_head.w'], p['lm_head.b']), [batch, seqLen, O]);
}

/**
 * Looped forward (reference FOP-Loop): e = readIn(x);
 * with injection h_0 = 0, h_t = LN_f(Blocks(h_{t-1} + e)); without ("-WO") h_0 = e,
 * h_t = LN_f(Blocks(h_{t-1})); logits_t = readOut(h_t) for t = 1..loops.
 */
export function loopedForward(
  config: GPTConfig,
  p: Record<string, tf.Tensor>,
  tokens: tf.Tensor2D,
  loops: number,
): tf.Tensor3D[] {
  const { e, ...fixed } = loopSetup(config, p, tokens);
  const out: tf.Tensor3D[] = [];
  let h: tf.Tensor = e;
  for (let t = 1; t <= loops; t++) {
    const [next, logits] = oneLoop(config, p, { h, e, t, ...fixed });
    h = next;
    out.push(logits);
  }
  return out;
}

interface LoopInputs {
  h: tf.Tensor;
  e: tf.Tensor;
  t: number;
  blocks: ReturnType<typeof blockParams>[];
  dims: { batch: number; seqLen: number; nHead: number };
  maskBias: tf.Tensor;
}

/** What every loop reads: the read-in e, the block parameters, the shapes and the causal mask. */
function loopSetup(config: GPTConfig, p: Record<string, tf.Tensor>, tokens: tf.Tensor2D) {
  const [B, T] = tokens.shape;
  if (config.positional === 'learned' && T > (config.maxSeqLen as number)) {
    throw new Error(`forward: sequence length ${T} exceeds GPTConfig.maxSeqLen ${String(config.maxSeqLen)}`);
  }
  return {
    e: readIn(config, p, tokens) as tf.Tensor,
    blocks: Array.from({ length: config.nLayer }, (_, i) => blockParams(p, i)),
    dims: { batch: B, seqLen: T, nHead: config.nHead },
    maskBias: causalMaskBias(T),
  };
}

/** Loop t: h_t = LN_f(Blocks(h_{t-1} + e)) (without injection: of h_{t-1}) and its read-out. */
function oneLoop(config: GPTConfig, p: Record<string, tf.Tensor>, x: LoopInputs): [tf.Tensor, tf.Tensor3D] {
  // With injection h_0 = 0, so the first loop's input h_0 + e is just e.
  let u: tf.Tensor = config.inputInjection && x.t > 1 ? tf.add(x.h, x.e) : x.h;
  for (const bp of x.blocks) u = gptBlock(u, bp, x.dims, x.maskBias);
  const h = layerNorm(u, p['ln_f.g'], p['ln_f.b']);
  return [h, readOut(config, p, h, x.dims.batch, x.dims.seqLen)];
}

/**
 * The same forward for evaluation: each loop in its own tidy scope, keeping only h_t and the
 * logits, so peak memory is one loop's activations. The ops and their order are those of
 * `loopedForward`: the values are identical.
 */
export function loopedForwardInference(
  config: GPTConfig,
  p: Record<string, tf.Tensor>,
  tokens: tf.Tensor2D,
  loops: number,
): tf.Tensor3D[] {
  // The outer scope releases the read-in, mask and parameter views; each loop's scope its intermediates.
  return tf.tidy(() => {
    const { e, ...fixed } = loopSetup(config, p, tokens);
    const out: tf.Tensor3D[] = [];
    let h: tf.Tensor = e;
    for (let t = 1; t <= loops; t++) {
      const prev = h;
      const [next, logits] = tf.tidy(() => oneLoop(config, p, { h: prev, e, t, ...fixed }));
      if (prev !== e) prev.dispose();
      h = next;
      out.push(logits);
    }
    return out;
  });
}
