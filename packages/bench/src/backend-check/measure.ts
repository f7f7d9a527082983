// What `loop-bench check-backend` measures on one backend: a small looped GPT's logits, loss,
// gradients and one Hessian-vector product, the loop count adaptive stopping picks, a checkpoint
// round trip, and a few steps of the engine's training step (AdamW, clipping) with the tensor count.
// The same calls run on the backend under test and on cpu; compare.ts sets them side by side.
import * as tf from '@tensorflow/tfjs';
import {
  createProbeRng,
  enableSecondOrderGradients,
  gaussianVector,
  hvp,
  parameterCount,
  valueAndGradientVector,
} from '@loop/hessian';
import {
  assignVariables,
  createLoopedGPT,
  evaluateBatch,
  loadCheckpoint,
  saveCheckpoint,
  snapshotVariables,
  stepLoss,
  type GPTConfig,
  type LoopedGPT,
} from '@loop/models';
import { createRng, getTask, type Batch } from '@loop/tasks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTrainStep, type StepConfig } from '../experiments/perf/train-step';

/** Small enough for a software GPU in seconds, large enough to use every kernel of training. */
export const CHECK_MODEL: GPTConfig = {
  vocabSize: 6,
  nEmbd: 32,
  nHead: 4,
  nLayer: 2,
  inputInjection: true,
  positional: 'none',
  readIn: 'onehot',
};
const CHECK_STEP: StepConfig = {
  name: 'check',
  nEmbd: 32,
  nHead: 4,
  nLayer: 2,
  seqLen: 16,
  batch: 8,
  loops: 4,
  vocabSize: 6,
};
/** Parity strings of length 6 (T(n) = 6 loops), 8 of them. */
const LENGTH = 6;
const TRAIN_STEPS = 5;

export interface Measured {
  /** Logits after the last of T(n) loops. */
  logits: Float32Array;
  loss: number;
  gradient: Float64Array;
  hvp: Float64Array;
  adaptive: { loops: number; accuracy: number };
  /** Whether a model restored from a saved checkpoint gives bitwise the same logits. */
  checkpointRoundTrip: boolean;
  /** The engine's training step: losses of TRAIN_STEPS steps, and tensors alive after each. */
  losses: number[];
  tensors: number[];
}

interface Inputs {
  batch: Batch;
  tokens: tf.Tensor2D;
  target: tf.Tensor2D;
  mask: tf.Tensor2D;
}

function inputs(): Inputs {
  const batch = getTask('parity').batch({ size: 8, length: LENGTH, rng: createRng(3) });
  const [B, T] = batch.shape;
  return {
    batch,
    tokens: tf.tensor2d(batch.input, [B, T], 'int32'),
    target: tf.tensor2d(batch.target, [B, T], 'int32'),
    mask: tf.tensor2d(batch.mask, [B, T]),
  };
}

function lastLogits(model: LoopedGPT, x: Inputs): Float32Array {
  return tf.tidy(() => {
    const perLoop = model.forward(x.tokens, { loops: LENGTH, inference: true });
    return Float32Array.from(perLoop[perLoop.length - 1]!.dataSync());
  });
}

function lossOf(model: LoopedGPT, x: Inputs): () => tf.Scalar {
  return () =>
    stepLoss(model.forward(x.tokens, { loops: LENGTH }), x.target, x.mask, x.batch.steps) as tf.Scalar;
}

async function checkpointRoundTrip(model: LoopedGPT, x: Inputs, before: Float32Array): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'loop-check-'));
  const other = createLoopedGPT(CHECK_MODEL, { seed: 2 });
  try {
    const weights = snapshotVariables(model.variables, model.variableNames);
    await saveCheckpoint(join(dir, 'ckpt'), { weights, config: { ...CHECK_MODEL }, step: 0 });
    const saved = await loadCheckpoint(join(dir, 'ckpt'));
    assignVariables(other.variables, saved.weights, other.variableNames);
    const after = lastLogits(other, x);
    return after.length === before.length && after.every((v, i) => v === before[i]);
  } finally {
    other.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

function trainSteps(): { losses: number[]; tensors: number[] } {
  const bench = createTrainStep(CHECK_STEP, 7);
  const losses: number[] = [];
  const tensors: number[] = [];
  try {
    for (let i = 0; i < TRAIN_STEPS; i++) {
      losses.push(bench.step());
      tensors.push(tf.memory().numTensors);
    }
  } finally {
    bench.dispose();
  }
  return { losses, tensors };
}

/** Everything the check compares, on the current backend (the same seeds on every backend). */
export async function measureBackend(): Promise<Measured> {
  enableSecondOrderGradients();
  const x = inputs();
  const model = createLoopedGPT(CHECK_MODEL, { seed: 1 });
  try {
    const logits = lastLogits(model, x);
    const { value: loss, gradient } = valueAndGradientVector(lossOf(model, x), model.variables);
    const v = gaussianVector(parameterCount(model.variables), createProbeRng(5));
    const product = hvp(lossOf(model, x), model.variables, v);
    const a = evaluateBatch(model, x.batch, { mode: 'adaptive', maxLoops: 2 * LENGTH });
    const adaptive = { loops: a.loops as number, accuracy: a.accuracy };
    const roundTrip = await checkpointRoundTrip(model, x, logits);
    return {
      logits,
      loss,
      gradient,
      hvp: product,
      adaptive,
      checkpointRoundTrip: roundTrip,
      ...trainSteps(),
    };
  } finally {
    model.dispose();
    tf.dispose([x.tokens, x.target, x.mask]);
  }
}
