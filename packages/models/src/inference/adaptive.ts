import * as tf from '@tensorflow/tfjs';
import { checkSteps } from '../loss/step-loss';

export interface AdaptiveOptions {
  /** One loop count per sample instead of one per batch (ours; the reference uses one per batch). */
  perSample?: boolean;
}

/**
 * Maximum-confidence stopping: c_t = mean over masked positions of -log max_v softmax(logits_t)_v
 * (= logSumExp - max); returns argmin_t c_t, 1-based, the first loop on ties. Per batch the mean
 * runs over every masked position of the batch; per sample over that sample's positions.
 */
export function adaptiveLoops(
  logitsPerLoop: tf.Tensor3D[],
  mask: tf.Tensor2D,
  options: { perSample: true },
): number[];
export function adaptiveLoops(
  logitsPerLoop: tf.Tensor3D[],
  mask: tf.Tensor2D,
  options?: { perSample?: false },
): number;
export function adaptiveLoops(
  logitsPerLoop: tf.Tensor3D[],
  mask: tf.Tensor2D,
  options?: AdaptiveOptions,
): number | number[];
export function adaptiveLoops(
  logitsPerLoop: tf.Tensor3D[],
  mask: tf.Tensor2D,
  options: AdaptiveOptions = {},
): number | number[] {
  if (logitsPerLoop.length === 0) throw new Error('adaptiveLoops: logitsPerLoop is empty');
  const [B, T] = logitsPerLoop[0].shape;
  if (!tf.util.arraysEqual(mask.shape, [B, T]))
    throw new Error(`adaptiveLoops: mask shape [${mask.shape}] must be [${B}, ${T}]`);
  const perSample = options.perSample === true;
  const conf = tf.tidy(() => {
    const m = tf.cast(mask, 'float32');
    const rows = logitsPerLoop.map((x) => {
      const negLogMax = tf.sub(tf.logSumExp(x, -1), tf.max(x, -1)); // [B, T]
      const weighted = tf.mul(negLogMax, m);
      return perSample
        ? tf.div(tf.sum(weighted, -1), tf.maximum(tf.sum(m, -1), 1e-12)) // [B]
        : tf.reshape(tf.div(tf.sum(weighted), tf.maximum(tf.sum(m), 1e-12)), [1]);
    });
    return tf.stack(rows); // [L, B] or [L, 1]
  });
  const data = conf.dataSync();
  const cols = conf.shape[1] as number;
  conf.dispose();
  const argminCol = (c: number): number => {
    let best = 0;
    for (let t = 1; t < logitsPerLoop.length; t++) if (data[t * cols + c] < data[best * cols + c]) best = t;
    return best + 1;
  };
  return perSample ? Array.from({ length: B }, (_, b) => argminCol(b)) : argminCol(0);
}

/**
 * Each sample's logits after its own number of loops (1-based `steps`), as one [B, T, V] tensor.
 * Oracle inference uses steps = T(n); adaptive per-sample inference uses `adaptiveLoops(..., {perSample})`.
 */
export function logitsAtSteps(logitsPerLoop: tf.Tensor3D[], steps: ArrayLike<number>): tf.Tensor3D {
  if (logitsPerLoop.length === 0) throw new Error('logitsAtSteps: logitsPerLoop is empty');
  const [B] = logitsPerLoop[0].shape;
  const s = checkSteps(steps, B, logitsPerLoop.length, 'logitsAtSteps');
  return tf.tidy(() => {
    let out: tf.Tensor = tf.zerosLike(logitsPerLoop[0]);
    for (const t of new Set(s)) {
      const sel = tf.tensor3d(
        Float32Array.from(s, (x) => (x === t ? 1 : 0)),
        [B, 1, 1],
      );
      out = tf.add(out, tf.mul(logitsPerLoop[t - 1], sel));
    }
    return out as tf.Tensor3D;
  });
}
