import * as tf from '@tensorflow/tfjs';
import type { GPTConfig } from '../gpt/config';

/** The wasm backend's heap is 32-bit: an allocation past 4 GiB aborts the process (uncatchable). */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
/** Default share of the heap that activations of one micro-batch may use (weights, grads, Adam and fragmentation need the rest). */
export const DEFAULT_ACTIVATION_BUDGET = 1.5 * 1024 ** 3;

/**
 * Upper estimate of the float32 bytes one sample keeps alive for a forward + backward pass of
 * the looped GPT (everything the tape saves, plus the gradient buffers of the largest op):
 * per block and loop ~ 48 T C floats (LN, fused QKV, head layouts, attention output, MLP 4C with
 * the GELU intermediates, residuals) + 4 H T^2 (scores, masked scores, softmax, its gradient);
 * per loop 4 T C (LN_f) + 3 T O (logits, log-softmax, CE); once the read-in.
 */
export function estimateActivationBytes(config: GPTConfig, shape: { seqLen: number; loops: number }): number {
  const { nEmbd: C, nHead: H, nLayer: L } = config;
  const O = config.outputSize ?? config.vocabSize;
  const T = shape.seqLen;
  const perBlock = 48 * T * C + 4 * H * T * T;
  const perLoop = L * perBlock + 4 * T * C + 3 * T * O;
  const floats = shape.loops * perLoop + T * (config.vocabSize + 2 * C);
  // x2 for the backward pass' transient gradient tensors of the same sizes.
  return 2 * 4 * floats;
}

/**
 * Split `batchSize` samples into contiguous micro-batch sizes so that each micro-batch's estimated
 * activation memory stays under `budgetBytes`. Returns e.g. [22, 21, 21] (as equal as possible).
 */
export function planMicroBatches(
  batchSize: number,
  bytesPerSample: number,
  budgetBytes = DEFAULT_ACTIVATION_BUDGET,
): number[] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`planMicroBatches: batchSize must be an integer >= 1; got ${batchSize}`);
  if (!(bytesPerSample > 0))
    throw new Error(`planMicroBatches: bytesPerSample must be > 0; got ${bytesPerSample}`);
  if (bytesPerSample > budgetBytes) {
    throw new Error(
      `planMicroBatches: one sample needs ~${(bytesPerSample / 2 ** 20).toFixed(0)} MiB, over the ${(budgetBytes / 2 ** 20).toFixed(0)} MiB budget; reduce loops, seqLen or nEmbd`,
    );
  }
  const perMicro = Math.max(1, Math.floor(budgetBytes / bytesPerSample));
  const parts = Math.ceil(batchSize / perMicro);
  const base = Math.floor(batchSize / parts);
  const extra = batchSize % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

export interface AccumulatedGradients {
  /** Sum of the micro-batch losses (each already scaled to the whole batch, so this is the batch loss). */
  loss: number;
  /** Summed gradients keyed by variable name (caller disposes, e.g. via `optimizer.applyGradients` inside tidy). */
  grads: Record<string, tf.Tensor>;
}

/**
 * Gradient accumulation: run `lossOf(i)` for every micro-batch i (each loss must already be
 * normalised by the WHOLE batch, e.g. `stepLoss(..., { denominator: totalMask })`), sum the
 * gradients of `vars`. Peak memory is one micro-batch's activations plus one gradient set.
 */
export function accumulateGradients(
  vars: tf.Variable[],
  parts: number,
  lossOf: (i: number) => tf.Scalar,
): AccumulatedGradients {
  if (!Number.isInteger(parts) || parts < 1)
    throw new Error(`accumulateGradients: parts must be an integer >= 1; got ${parts}`);
  let sum: Record<string, tf.Tensor> | undefined;
  let loss = 0;
  for (let i = 0; i < parts; i++) {
    const { value, grads } = tf.variableGrads(() => lossOf(i), vars);
    loss += (value.dataSync() as Float32Array)[0];
    value.dispose();
    if (!sum) {
      sum = grads;
    } else {
      const prev: Record<string, tf.Tensor> = sum;
      sum = {};
      for (const name of Object.keys(prev)) {
        sum[name] = tf.add(prev[name], grads[name]);
        prev[name].dispose();
        grads[name].dispose();
      }
    }
  }
  return { loss, grads: sum as Record<string, tf.Tensor> };
}
