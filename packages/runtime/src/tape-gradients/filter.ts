/**
 * The tape filter: tfjs 4.22's `getFilteredNodesXToY` keeps "which tensors come from x" in plain
 * objects keyed by tensor ids (ids grow for the life of the process, so V8 keeps them in dictionary
 * mode) and re-tests every node input once per x; sets and one pass per node here.
 */
import type * as tf from '@tensorflow/tfjs';
import { gradientId } from './aliases';
import type { TapeNode } from './engine';

/** Bit 1 of a node's mark: it reads a tensor that depends on xs (whose ids `fromX` collects). */
function markFromX(tape: readonly TapeNode[], xs: readonly tf.Tensor[], marks: Uint8Array): Set<number> {
  const fromX = new Set<number>();
  for (const x of xs) fromX.add(gradientId(x));
  for (let i = 0; i < tape.length; i++) {
    const node = tape[i]!;
    for (const name in node.inputs) {
      if (fromX.has(gradientId(node.inputs[name]!))) {
        for (const o of node.outputs) fromX.add(o.id);
        marks[i] = 1;
        break;
      }
    }
  }
  return fromX;
}

/** Bit 2 of a node's mark: one of its outputs leads to y. */
function markToY(tape: readonly TapeNode[], y: tf.Tensor, marks: Uint8Array): void {
  const toY = new Set<number>([gradientId(y)]);
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    for (const o of node.outputs) {
      if (!toY.has(o.id)) continue;
      for (const name in node.inputs) {
        toY.add(gradientId(node.inputs[name]!));
        marks[i]! |= 2;
      }
      break;
    }
  }
}

/** The node with only its inputs that depend on xs: itself when that is all of them. */
function prunedNode(node: TapeNode, fromX: ReadonlySet<number>): TapeNode {
  let pruned = false;
  for (const name in node.inputs) {
    if (!fromX.has(gradientId(node.inputs[name]!))) {
      pruned = true;
      break;
    }
  }
  if (!pruned) return node; // read, never written: no copy needed
  const inputs: Record<string, tf.Tensor> = {};
  for (const name in node.inputs) {
    const t = node.inputs[name]!;
    if (fromX.has(gradientId(t))) inputs[name] = t;
  }
  return { ...node, inputs, outputs: node.outputs };
}

/**
 * The nodes on a path from any of `xs` to `y`, in tape order, each a copy whose inputs are only
 * those that depend on `xs` (what tfjs' getFilteredNodesXToY returns); a saved copy counts as the
 * tensor it copies.
 */
export function filterTape(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const marks = new Uint8Array(tape.length);
  const fromX = markFromX(tape, xs, marks);
  markToY(tape, y, marks);
  const filtered: TapeNode[] = [];
  for (let i = 0; i < tape.length; i++) if (marks[i] === 3) filtered.push(prunedNode(tape[i]!, fromX));
  return filtered;
}
