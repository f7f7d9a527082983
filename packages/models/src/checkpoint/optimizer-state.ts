/** tfjs optimizer state (slot tensors and Adam's running beta powers) to and from checkpoint form. */
import * as tf from '@tensorflow/tfjs';
import type { JsonValue } from './layout';
import type { TensorMap } from './safetensors';

const ACC_FIELDS = ['accBeta1', 'accBeta2'] as const;

/**
 * Snapshot a tfjs optimizer (Adam, SGD, ...) into checkpoint form. Slot names `<tf var name>/<slot>`
 * are rewritten to `<logical name>/<slot>` so they load into another model instance.
 */
export async function exportOptimizerState(
  optimizer: tf.Optimizer,
  vars: readonly tf.Variable[],
  names: readonly string[],
  state: JsonValue = null,
): Promise<{ state: JsonValue; tensors: TensorMap }> {
  const named = await optimizer.getWeights();
  const tensors: TensorMap = {};
  named.forEach((nt, i) => {
    let key = nt.name;
    vars.forEach((v, j) => {
      if (key.startsWith(`${v.name}/`)) key = `${names[j]}${key.slice(v.name.length)}`;
    });
    const data =
      nt.tensor.dtype === 'int32'
        ? Int32Array.from(nt.tensor.dataSync())
        : Float32Array.from(nt.tensor.dataSync());
    // Prefix the position: tfjs optimizers restore slots by order.
    tensors[`${String(i).padStart(5, '0')}:${key}`] = { shape: nt.tensor.shape.slice(), data };
  });
  // Adam/Adamax keep running products beta^t outside getWeights(); setWeights recomputes them with
  // pow(), which differs in the last bit. Save them so a resumed step is bit-identical.
  for (const field of ACC_FIELDS) {
    const acc = (optimizer as unknown as Record<string, unknown>)[field];
    if (acc instanceof tf.Variable) {
      const v = acc as tf.Tensor;
      tensors[`acc:${field}`] = { shape: [...v.shape], data: Float32Array.from(v.dataSync()) };
    }
  }
  return { state, tensors };
}

/** Restore an optimizer snapshot from `exportOptimizerState` onto the variables of another instance. */
export async function importOptimizerState(
  optimizer: tf.Optimizer,
  vars: readonly tf.Variable[],
  names: readonly string[],
  saved: { tensors: TensorMap },
): Promise<void> {
  const keys = Object.keys(saved.tensors)
    .filter((k) => !k.startsWith('acc:'))
    .sort();
  const named: { name: string; tensor: tf.Tensor }[] = keys.map((k) => {
    let name = k.slice(k.indexOf(':') + 1);
    names.forEach((n, j) => {
      if (name.startsWith(`${n}/`)) name = `${vars[j].name}${name.slice(n.length)}`;
    });
    const t = saved.tensors[k];
    return { name, tensor: tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32') };
  });
  await optimizer.setWeights(named);
  named.forEach((n) => n.tensor.dispose());
  for (const field of ACC_FIELDS) {
    const acc = (optimizer as unknown as Record<string, unknown>)[field];
    const t = saved.tensors[`acc:${field}`];
    if (acc instanceof tf.Variable && t) tf.tidy(() => acc.assign(tf.tensor(t.data, t.shape)));
  }
}
