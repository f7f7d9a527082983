// One optimisation step as the engine runs it: the problem's loss over its micro-batches, the
// global gradient norm (read back with the loss), clipping, and the update. `train` calls it once
// per step; `loop-bench perf` times it, so its figures are those of a real training step.

import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../optim/adamw';
import { clipByGlobalNorm, globalNorm } from '../optim/clip';
import type { StageInfo, TrainProblem } from './problem';

/** What a step needs besides the batch: fixed for a run. */
export interface StepContext<B> {
  problem: TrainProblem<B>;
  variables: readonly tf.Variable[];
  optimizer: Optimizer;
  /** Clip the global gradient norm to this (null: no clipping). */
  clipNorm: number | null;
  /** At least this many micro-batches (the problem may ask for more, `microBatchesFor`). */
  microBatches: number;
}

/** Loss, pre-clip global gradient norm and the (clipped) gradients of one step, accumulated over micro-batches. */
export function stepGradients<B>(
  ctx: StepContext<B>,
  batch: B,
  stage: StageInfo,
): { loss: number; gradNorm: number; grads: tf.Tensor[] } {
  const { problem, variables } = ctx;
  const count = Math.max(ctx.microBatches, problem.microBatchesFor?.(batch, stage) ?? 1);
  const parts = count > 1 && problem.split ? problem.split(batch, count) : [{ batch, weight: 1 }];
  let acc: tf.Tensor[] | null = null;
  let lossSum: tf.Tensor = tf.scalar(0);
  for (const part of parts) {
    const { value, grads } = tf.variableGrads(
      () => tf.mul(problem.loss(part.batch, stage), part.weight) as tf.Scalar,
      variables as tf.Variable[],
    );
    const ordered = variables.map((v) => {
      const g = grads[v.name];
      // A variable the loss does not touch (e.g. a loop gate in Single-Attn) gets a zero gradient.
      return g ?? tf.zerosLike(v);
    });
    if (acc === null) acc = ordered;
    else {
      const prev: tf.Tensor[] = acc;
      acc = prev.map((a, i) => tf.add(a, ordered[i] as tf.Tensor));
      prev.forEach((t) => t.dispose());
      ordered.forEach((t) => t.dispose());
    }
    const nextLoss = tf.add(lossSum, value);
    lossSum.dispose();
    value.dispose();
    lossSum = nextLoss;
  }
  const grads = acc as tf.Tensor[];
  const norm = globalNorm(grads);
  const both = tf.stack([lossSum, norm]);
  const [loss, gradNorm] = Array.from(both.dataSync()) as [number, number];
  both.dispose();
  norm.dispose();
  lossSum.dispose();
  if (ctx.clipNorm === null || !Number.isFinite(gradNorm)) return { loss, gradNorm, grads };
  const clipped = clipByGlobalNorm(grads, gradNorm, ctx.clipNorm);
  grads.forEach((g) => g.dispose());
  return { loss, gradNorm, grads: clipped };
}

/**
 * One step: gradients, then the update at learning rate `lr` unless the loss or the gradient norm is
 * NaN/Inf (`applied: false`, nothing changed; the caller reports the fault). Leaves no tensors.
 */
export function optimizationStep<B>(
  ctx: StepContext<B>,
  batch: B,
  stage: StageInfo,
  lr: number,
): { loss: number; gradNorm: number; applied: boolean } {
  const { loss, gradNorm, grads } = stepGradients(ctx, batch, stage);
  const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
  if (applied) ctx.optimizer.apply(grads, lr);
  grads.forEach((g) => g.dispose());
  return { loss, gradNorm, applied };
}
