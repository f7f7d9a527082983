/** Saved copies that a walk treats as the tensor they copy (see `savedCopy` in ../tape-gradients.ts). */
import type * as tf from '@tensorflow/tfjs';

/**
 * Saved copies made at gradient depth >= 2, each to the tensor it copies (see `savedCopy`): a walk
 * treats a copy as that tensor. Cleared with the tape.
 */
export const aliases = new Map<number, tf.Tensor>();

/** The id under which a tensor's gradient is kept: its own, or for a saved copy the original's. */
export function gradientId(t: tf.Tensor): number {
  let id = t.id;
  for (let x = aliases.get(id); x !== undefined; x = aliases.get(id)) id = x.id;
  return id;
}
