/** Variables to and from checkpoint tensors (name -> shape and data), by logical name. */
import * as tf from '@tensorflow/tfjs';
import type { TensorMap } from './safetensors';

/** Copy variables' values into a name -> Float32Array map (names default to the variables' own). */
export function snapshotVariables(
  vars: readonly tf.Variable[],
  names: readonly string[] = vars.map((v) => v.name),
): TensorMap {
  if (names.length !== vars.length)
    throw new Error(`snapshotVariables: names has ${names.length} entries for ${vars.length} variables`);
  const out: TensorMap = {};
  vars.forEach((v, i) => {
    out[names[i]] = { shape: v.shape.slice(), data: Float32Array.from(v.dataSync()) };
  });
  return out;
}

/** Assign a snapshot back; every name must be present with the variable's shape. */
export function assignVariables(
  vars: readonly tf.Variable[],
  weights: TensorMap,
  names: readonly string[] = vars.map((v) => v.name),
): void {
  if (names.length !== vars.length)
    throw new Error(`assignVariables: names has ${names.length} entries for ${vars.length} variables`);
  vars.forEach((v, i) => {
    const w = weights[names[i]];
    if (!w)
      throw new Error(
        `assignVariables: checkpoint has no tensor '${names[i]}' (has: ${Object.keys(weights).slice(0, 8).join(', ')}...)`,
      );
    if (!tf.util.arraysEqual(w.shape, v.shape)) {
      throw new Error(
        `assignVariables: tensor '${names[i]}' has shape [${w.shape.join(', ')}] but the variable has [${v.shape.join(', ')}]`,
      );
    }
  });
  vars.forEach((v, i) => {
    const w = weights[names[i]];
    tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, w.data instanceof Int32Array ? 'int32' : 'float32')));
  });
}
