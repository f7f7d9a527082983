import * as tf from '@tensorflow/tfjs';
import { createLoopedGPT, stepLoss, type GPTConfig, type LoopedGPT } from '@loop/models';
import {
  createOptimizer,
  optimizationStep,
  type Optimizer,
  type StageInfo,
  type TrainProblem,
} from '@loop/shift';
import { createRng } from '@loop/tasks';

/** One benchmark configuration of the looped GPT training step. */
export interface StepConfig {
  name: string;
  nEmbd: number;
  nHead: number;
  nLayer: number;
  seqLen: number;
  batch: number;
  loops: number;
  /** One-hot read-in width and read-out classes (6: the binary tasks' vocabulary). */
  vocabSize: number;
  /**
   * Samples per forward/backward pass (default: the whole batch). Smaller values accumulate the
   * gradient over micro-batches (loss divided by the full batch's token count, so the update is the
   * same) and bound the activation memory: the wasm heap is capped at 4 GB.
   */
  microBatch?: number;
}

/** AdamW settings shared with the PyTorch peer (torch.optim.AdamW defaults except lr). */
export const PERF_ADAMW = { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0.01 };

/** Global gradient-norm clip of the timed step (the algorithmic study's, and the peer's clip_grad_norm_). */
export const PERF_CLIP_NORM = 1;

/** A ready-to-run training step: forward over `loops`, stepLoss at the last loop, backward, clipping, AdamW. */
export interface TrainStepBench {
  readonly model: LoopedGPT;
  /** Runs one step and returns the loss (read back, so the step is complete when it returns). */
  step(): number;
  dispose(): void;
}

export function gptConfigOf(c: StepConfig): GPTConfig {
  return {
    vocabSize: c.vocabSize,
    nEmbd: c.nEmbd,
    nHead: c.nHead,
    nLayer: c.nLayer,
    inputInjection: true,
    positional: 'none',
    readIn: 'onehot',
  };
}

/** Seeded random batch: tokens and targets uniform in [0, V), full mask, every sample scored after `loops`. */
export function randomBatch(
  c: StepConfig,
  seed: number,
): { tokens: tf.Tensor2D; target: tf.Tensor2D; mask: tf.Tensor2D; steps: number[] } {
  const rng = createRng(seed);
  const n = c.batch * c.seqLen;
  const tok = new Int32Array(n);
  const tgt = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    tok[i] = rng.int(0, c.vocabSize - 1);
    tgt[i] = rng.int(0, c.vocabSize - 1);
  }
  return {
    tokens: tf.tensor2d(tok, [c.batch, c.seqLen], 'int32'),
    target: tf.tensor2d(tgt, [c.batch, c.seqLen], 'int32'),
    mask: tf.ones([c.batch, c.seqLen]) as tf.Tensor2D,
    steps: new Array<number>(c.batch).fill(c.loops),
  };
}

/** A perf batch: the random tokens, targets, mask and per-sample loop counts. */
interface PerfBatch {
  tokens: tf.Tensor2D;
  target: tf.Tensor2D;
  mask: tf.Tensor2D;
  steps: number[];
}

/**
 * The benchmark's training step is the engine's own (`optimizationStep` of @loop/shift, what `train`
 * runs): loss over micro-batches, global gradient norm read back with the loss, clipping to
 * PERF_CLIP_NORM, AdamW. Micro-batches are row slices made once, weighted by their share of rows
 * (every row has the same token count), as the engine's problems split.
 */
export function createTrainStep(c: StepConfig, seed: number): TrainStepBench {
  const micro = c.microBatch ?? c.batch;
  if (!Number.isInteger(micro) || micro < 1)
    throw new Error(`createTrainStep: microBatch must be a positive integer; got ${String(c.microBatch)}`);
  const model = createLoopedGPT(gptConfigOf(c), { seed });
  const optimizer: Optimizer = createOptimizer({ type: 'adamw', ...PERF_ADAMW }, model.variables);
  const whole: PerfBatch = randomBatch(c, seed + 1);
  const parts: { batch: PerfBatch; weight: number }[] = [];
  if (micro < c.batch) {
    for (let start = 0; start < c.batch; start += micro) {
      const size = Math.min(micro, c.batch - start);
      const rows = (x: tf.Tensor2D) => tf.slice(x, [start, 0], [size, c.seqLen]) as tf.Tensor2D;
      parts.push({
        batch: {
          tokens: rows(whole.tokens),
          target: rows(whole.target),
          mask: rows(whole.mask),
          steps: whole.steps.slice(start, start + size),
        },
        weight: size / c.batch,
      });
    }
  }
  const problem: TrainProblem<PerfBatch> = {
    variables: model.variables,
    nextBatch: () => whole,
    split: () => parts,
    loss: (b) =>
      stepLoss(model.forward(b.tokens, { loops: c.loops }), b.target, b.mask, b.steps) as tf.Scalar,
  };
  const ctx = {
    problem,
    variables: model.variables,
    optimizer,
    clipNorm: PERF_CLIP_NORM,
    microBatches: Math.max(1, parts.length),
  };
  const stage: StageInfo = { index: 0, name: 'looped', loops: { kind: 'fixed', loops: c.loops } };
  return {
    model,
    step() {
      return optimizationStep(ctx, whole, stage, PERF_ADAMW.lr).loss;
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
      tf.dispose([
        whole.tokens,
        whole.target,
        whole.mask,
        ...parts.flatMap((p) => [p.batch.tokens, p.batch.target, p.batch.mask]),
      ]);
    },
  };
}

/** Bytes of the wasm backend's linear memory (grows, never shrinks; capped at 4 GiB), or null on other backends. */
export function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength ?? null;
}

/**
 * Estimated wasm heap growth of one training step, in MiB: the tape keeps every intermediate of
 * every loop until the backward pass, so it grows with batch x seqLen x loops x nLayer. Per token,
 * loop and layer ~ 15 (40 C + 8 H T) bytes: C-wide tensors (MLP ones count 4x) and the H x T
 * attention maps, times ~3.75 for backward temporaries and heap fragmentation (wasm memory is never
 * returned). Calibrated on wasm with @loop/models' copy-free Identity kernel: C 256, H 4, T 41,
 * B 64 grows 413 MiB at 1 loop, 797 at 2, 1497 at 4 (tools/dev/perf-heap.ts; estimate 434 per loop).
 * Before that kernel the tape held every saved activation twice (614 MiB at 1 loop).
 */
export function estimateStepHeapMiB(
  c: Pick<StepConfig, 'nEmbd' | 'nHead' | 'nLayer' | 'seqLen' | 'loops'>,
  samples: number,
): number {
  const perToken = 15 * (40 * c.nEmbd + 8 * c.nHead * c.seqLen);
  return (perToken * samples * c.seqLen * c.loops * c.nLayer) / 2 ** 20;
}

/**
 * Largest micro-batch (a divisor of the batch when one is close, else ceil(batch / parts)) whose
 * estimated heap growth stays under `budgetMiB`. The wasm heap is capped at 4096 MiB and an
 * overflow aborts the process uncatchably, so the default budget leaves half of it free.
 */
export function autoMicroBatch(c: StepConfig, budgetMiB = 2048): number {
  for (let parts = 1; parts <= c.batch; parts++) {
    const size = Math.ceil(c.batch / parts);
    if (estimateStepHeapMiB(c, size) <= budgetMiB) return size;
  }
  return 1;
}
