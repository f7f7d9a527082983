import * as tf from '@tensorflow/tfjs';
import { adaptiveLoops } from './adaptive';

/**
 * Stopping rules: how a looped model picks its loop count at test time without being told T(n).
 * - `confidence-batch`: the reference rule, maximum confidence over loops 1..T_max, one loop count
 *   per batch (the reference tests one length per batch).
 * - `confidence-sample`: the same criterion, one loop count per sample.
 * - `confidence-trained`: the reference rule restricted to loops 1..trainedLoops, the loop counts the
 *   model was trained to read out after (T of the longest training length).
 * - `fixed-point`: per sample, the first loop t whose answer (argmax at every masked position) stays
 *   the same for the next `patience` loops, which input injection is meant to produce; T_max when
 *   the answer never settles.
 */
export const STOPPING_RULES = [
  'confidence-batch',
  'confidence-sample',
  'confidence-trained',
  'fixed-point',
] as const;
export type StoppingRule = (typeof STOPPING_RULES)[number];

export interface StoppingOptions {
  /** `confidence-trained`: the largest loop count seen in training (required for that rule). */
  trainedLoops?: number;
  /** `fixed-point`: loops the answer must stay unchanged (default 3). */
  patience?: number;
}

export const DEFAULT_FIXED_POINT_PATIENCE = 3;

/** Per-sample loop counts (1-based) that `rule` picks from the logits of loops 1..L. */
export function stoppingLoops(
  logitsPerLoop: tf.Tensor3D[],
  mask: tf.Tensor2D,
  rule: StoppingRule,
  options: StoppingOptions = {},
): number[] {
  if (logitsPerLoop.length === 0) throw new Error('stoppingLoops: logitsPerLoop is empty');
  const B = logitsPerLoop[0].shape[0];
  switch (rule) {
    case 'confidence-batch':
      return new Array<number>(B).fill(adaptiveLoops(logitsPerLoop, mask));
    case 'confidence-sample':
      return adaptiveLoops(logitsPerLoop, mask, { perSample: true });
    case 'confidence-trained': {
      const t = options.trainedLoops;
      if (t === undefined || !Number.isInteger(t) || t < 1)
        throw new Error(
          `stoppingLoops: rule confidence-trained needs options.trainedLoops (an integer >= 1); got ${String(t)}`,
        );
      return new Array<number>(B).fill(adaptiveLoops(logitsPerLoop.slice(0, t), mask));
    }
    case 'fixed-point':
      return fixedPointLoops(logitsPerLoop, mask, options.patience ?? DEFAULT_FIXED_POINT_PATIENCE);
    default:
      throw new Error(
        `stoppingLoops: unknown rule ${JSON.stringify(rule)}; expected one of ${STOPPING_RULES.join(', ')}`,
      );
  }
}

/**
 * Fixed-point stopping: for each sample the first loop t (1-based) such that the argmax answer at
 * loops t, t+1, ..., t+patience is the same at every masked position; L when no loop qualifies.
 */
export function fixedPointLoops(logitsPerLoop: tf.Tensor3D[], mask: tf.Tensor2D, patience: number): number[] {
  if (!Number.isInteger(patience) || patience < 1)
    throw new Error(`fixedPointLoops: patience must be an integer >= 1; got ${String(patience)}`);
  const L = logitsPerLoop.length;
  const B = logitsPerLoop[0]!.shape[0];
  if (L === 1) return new Array<number>(B).fill(1);
  // same[t][b] = 1 when loop t+1's answer equals loop t+2's at every masked position of sample b.
  const same = tf.tidy(() => {
    const m = tf.greater(mask, 0);
    const preds = logitsPerLoop.map((x) => tf.argMax(x, -1));
    const rows: tf.Tensor[] = [];
    for (let t = 0; t + 1 < L; t++) {
      const differ = tf.logicalAnd(tf.notEqual(preds[t]!, preds[t + 1]!), m);
      rows.push(tf.equal(tf.sum(tf.cast(differ, 'int32'), -1), 0));
    }
    return tf.cast(tf.stack(rows), 'int32'); // [L-1, B]
  });
  const flags = same.dataSync();
  same.dispose();
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    let run = 0; // consecutive unchanged transitions ending at transition t
    let chosen = L;
    for (let t = 0; t + 1 < L; t++) {
      run = flags[t * B + b] === 1 ? run + 1 : 0;
      if (run >= patience) {
        chosen = t + 2 - patience; // the loop where the unchanged run started (1-based)
        break;
      }
    }
    out.push(chosen);
  }
  return out;
}
