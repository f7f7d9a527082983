import * as tf from '@tensorflow/tfjs';
import type { LoopedGPT } from '../gpt/looped-gpt';
import { exactMatch } from '../loss/accuracy';
import { adaptiveLoops, logitsAtSteps } from './adaptive';
import { stoppingLoops, type StoppingOptions, type StoppingRule } from './stopping';

/** Structural subset of @loop/tasks' `Batch` (row-major [batch, seqLen]). */
export interface BatchLike {
  input: Int32Array;
  target: Int32Array;
  mask: Float32Array;
  steps: Int32Array;
  shape: [number, number];
}

export type InferenceMode = { mode: 'oracle' } | { mode: 'adaptive'; maxLoops: number; perSample?: boolean };

export interface BatchEvaluation {
  /** Mean exact match over the batch. */
  accuracy: number;
  /** Per-sample exact match (0/1). */
  correct: number[];
  /** Loops used: per sample (oracle, or adaptive per-sample) or one per batch (adaptive). */
  loops: number | number[];
}

/**
 * Evaluate a batch: 'oracle' runs max T(n) loops and scores each sample after exactly its own
 * `steps`; 'adaptive' runs `maxLoops` (T_max) loops and picks the maximum-confidence loop per batch
 * (reference) or per sample.
 */
export function evaluateBatch(model: LoopedGPT, batch: BatchLike, how: InferenceMode): BatchEvaluation {
  const [B, T] = batch.shape;
  const tokens = tf.tensor2d(batch.input, [B, T], 'int32');
  const target = tf.tensor2d(batch.target, [B, T], 'int32');
  const mask = tf.tensor2d(batch.mask, [B, T], 'float32');
  try {
    const loopsRun = how.mode === 'oracle' ? Math.max(...Array.from(batch.steps)) : how.maxLoops;
    if (!Number.isInteger(loopsRun) || loopsRun < 1)
      throw new Error(`evaluateBatch: loops to run must be >= 1; got ${loopsRun}`);
    const perLoop = model.forward(tokens, { loops: loopsRun, inference: true });
    try {
      let chosen: number | number[];
      let picked: tf.Tensor3D;
      if (how.mode === 'oracle') {
        chosen = Array.from(batch.steps);
        picked = logitsAtSteps(perLoop, batch.steps);
      } else if (how.perSample) {
        chosen = adaptiveLoops(perLoop, mask, { perSample: true });
        picked = logitsAtSteps(perLoop, chosen);
      } else {
        chosen = adaptiveLoops(perLoop, mask);
        picked = tf.clone(perLoop[chosen - 1]);
      }
      const correct = exactMatch(picked, target, mask);
      picked.dispose();
      return { accuracy: correct.reduce((a, b) => a + b, 0) / B, correct, loops: chosen };
    } finally {
      perLoop.forEach((t) => t.dispose());
    }
  } finally {
    tokens.dispose();
    target.dispose();
    mask.dispose();
  }
}

export interface StoppingEvaluation {
  /** Per-sample exact match after exactly the batch's own `steps` (oracle T(n)). */
  oracle: number[];
  /** Per rule: per-sample exact match and the loop count it picked. */
  rules: Partial<Record<StoppingRule, { correct: number[]; loops: number[] }>>;
}

/**
 * Score a batch under oracle T(n) and several stopping rules from one forward pass of
 * max(maxLoops, max steps) loops; each rule looks only at loops 1..maxLoops (T_max).
 */
export function evaluateStopping(
  model: LoopedGPT,
  batch: BatchLike,
  options: { maxLoops: number; rules: readonly StoppingRule[] } & StoppingOptions,
): StoppingEvaluation {
  const [B, T] = batch.shape;
  const { maxLoops } = options;
  if (!Number.isInteger(maxLoops) || maxLoops < 1)
    throw new Error(`evaluateStopping: maxLoops must be an integer >= 1; got ${String(maxLoops)}`);
  const tokens = tf.tensor2d(batch.input, [B, T], 'int32');
  const target = tf.tensor2d(batch.target, [B, T], 'int32');
  const mask = tf.tensor2d(batch.mask, [B, T], 'float32');
  const perLoop = model.forward(tokens, {
    loops: Math.max(maxLoops, ...Array.from(batch.steps)),
    inference: true,
  });
  try {
    const scoreAt = (steps: ArrayLike<number>): number[] => {
      const picked = logitsAtSteps(perLoop, steps);
      try {
        return exactMatch(picked, target, mask);
      } finally {
        picked.dispose();
      }
    };
    const window = perLoop.slice(0, maxLoops);
    const rules: StoppingEvaluation['rules'] = {};
    for (const rule of options.rules) {
      const loops = stoppingLoops(window, mask, rule, options);
      rules[rule] = { correct: scoreAt(loops), loops };
    }
    return { oracle: scoreAt(batch.steps), rules };
  } finally {
    perLoop.forEach((t) => t.dispose());
    tokens.dispose();
    target.dispose();
    mask.dispose();
  }
}
