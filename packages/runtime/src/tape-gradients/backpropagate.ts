/**
 * The backward walk over a filtered tape: tfjs' backpropagateGradients over a Map (same order of
 * operations, same checks), with one tidy scope per node and one AddN per tensor with several
 * contributions (wasm's and cpu's AddN add the inputs in order into a zeroed output: bitwise tfjs'
 * running Adds).
 */
import * as tf from '@tensorflow/tfjs';
import { gradientId } from './aliases';
import type { TapeNode } from './engine';

/** The walk's state: gradients by tensor id, contributions not yet summed, tensors others may hold. */
interface Accumulator {
  grads: Map<number, tf.Tensor>;
  /** Tensors with two or more contributions so far, not yet summed. */
  pending: Map<number, tf.Tensor[]>;
  /** Tensors that are also another entry's gradient, or the caller's seed: never disposed here. */
  shared: Set<tf.Tensor>;
}

/** A tensor's gradient, its pending contributions summed (a left fold in arrival order) on first read. */
function gradientOf(acc: Accumulator, id: number): tf.Tensor | undefined {
  const parts = acc.pending.get(id);
  if (parts === undefined) return acc.grads.get(id);
  acc.pending.delete(id);
  const sum = tf.addN(parts);
  for (const t of parts) if (!acc.shared.has(t)) t.dispose();
  acc.grads.set(id, sum);
  return sum;
}

/** Record one contribution to a tensor's gradient; summed later by `gradientOf`. */
function contribute(acc: Accumulator, id: number, dx: tf.Tensor): void {
  const current = acc.grads.get(id);
  if (current === undefined) {
    acc.grads.set(id, dx);
    return;
  }
  const parts = acc.pending.get(id);
  if (parts === undefined) acc.pending.set(id, [current, dx]);
  else parts.push(dx);
}

/** The node's gradient functions, one per input name, after tfjs' checks that they exist. */
function inputGradientsOf(node: TapeNode, dys: (tf.Tensor | null)[]): Record<string, () => tf.Tensor> {
  if (node.gradient == null) {
    throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
  }
  const inputGradients = node.gradient(dys);
  for (const name of Object.keys(node.inputs)) {
    if (inputGradients[name] === undefined) {
      throw new Error(
        `Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients).join(',')}.`,
      );
    }
  }
  return inputGradients;
}

/** tfjs' checks of one input's gradient: float32, and the input's shape. */
function checkInputGradient(node: TapeNode, name: string, dx: tf.Tensor): void {
  if (dx.dtype !== 'float32') {
    throw new Error(
      `Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`,
    );
  }
  const x = node.inputs[name]!;
  if (!tf.util.arraysEqual(dx.shape, x.shape)) {
    throw new Error(
      `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape.join(',')}', which does not match the shape of the input '${x.shape.join(',')}'`,
    );
  }
}

/**
 * Walk `tape` backwards from the gradients in `grads`, safe for gradient functions that hand dy on
 * unchanged (`passesGradientThrough`): tfjs disposes an input's running gradient when it adds the
 * next contribution, which would free a tensor that is also another entry's gradient, or the
 * caller's seed. Such shared tensors are left to the enclosing tidy. Returns the gradients of `xs`.
 */
export function backpropagate(
  grads: Map<number, tf.Tensor>,
  tape: readonly TapeNode[],
  tidy: (f: () => tf.Tensor[]) => tf.Tensor[],
  seed: tf.Tensor | undefined,
  xs: readonly tf.Tensor[],
): (tf.Tensor | undefined)[] {
  const acc: Accumulator = { grads, pending: new Map(), shared: new Set() };
  if (seed !== undefined) acc.shared.add(seed);
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    const dys = node.outputs.map((o) => gradientOf(acc, o.id) ?? null);
    const inputGradients = inputGradientsOf(node, dys);
    const names = Object.keys(node.inputs);
    // One scope per node (tfjs opens one per input): the gradient functions' intermediates are
    // freed all the same, at half the scope bookkeeping for two-input kernels.
    const dxs = tidy(() => names.map((name) => inputGradients[name]!()));
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      const dx = dxs[k]!;
      checkInputGradient(node, name, dx);
      if (dys.includes(dx)) acc.shared.add(dx);
      contribute(acc, gradientId(node.inputs[name]!), dx);
    }
  }
  return xs.map((x) => gradientOf(acc, gradientId(x)));
}

/** Each x its own gradient tensor, none of them the caller's dy (a pass-through can alias them). */
export function ownGradients(
  grads: (tf.Tensor | undefined)[],
  seed: tf.Tensor | undefined,
): (tf.Tensor | undefined)[] {
  const seen = new Set<tf.Tensor>();
  if (seed !== undefined) seen.add(seed);
  return grads.map((g) => {
    if (g === undefined) return g;
    if (!seen.has(g)) {
      seen.add(g);
      return g;
    }
    return tf.clone(g);
  });
}
