/** Tile by block copies (the wasm Tile kernel computes a modular index per element: ~10x slower). */
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from '../wasm-backend';
import { runOriginal, wasmInput, type HeapArray } from './originals';

/** Fill dst[start, start + count * size) with `count` copies of its first `size` elements, doubling. */
function repeatInPlace(dst: HeapArray, start: number, size: number, count: number): void {
  const total = size * count;
  for (let filled = size; filled < total; filled *= 2) {
    dst.copyWithin(start + filled, start, start + Math.min(filled, total - filled));
  }
}

/**
 * Row-major tile of `src` (shape `shape`) by `reps` into `dst`, by block copies: the innermost axis
 * first (each row repeated), then each outer axis, moving every finished block to its place (last
 * block first, so nothing is overwritten before it is moved) and repeating it by doubling copies:
 * ~log2(reps) copies per block instead of one per repetition. Exact (a copy).
 */
function tileInto(src: HeapArray, shape: number[], reps: number[], dst: HeapArray): void {
  const r = shape.length;
  if (r === 0) {
    dst[0] = src[0] as number;
    return;
  }
  const last = shape[r - 1] as number;
  const rows = tf.util.sizeFromShape(shape) / Math.max(last, 1);
  const rLast = reps[r - 1] as number;
  // Innermost axis: row j of src -> rLast copies at j * last * rLast.
  for (let j = 0; j < rows; j++) {
    const base = j * last * rLast;
    if (last === 1) {
      dst.fill(src[j] as number, base, base + rLast);
    } else {
      dst.set(src.subarray(j * last, (j + 1) * last), base);
      repeatInPlace(dst, base, last, rLast);
    }
  }
  // Outer axes, innermost first: blocks of `tail` elements; `outer` of them before axis k.
  let tail = last * rLast;
  for (let k = r - 2; k >= 0; k--) {
    const s = shape[k] as number;
    const rk = reps[k] as number;
    const outer = tf.util.sizeFromShape(shape.slice(0, k));
    const block = s * tail;
    if (rk > 1) {
      for (let p = outer - 1; p >= 0; p--) {
        if (p > 0) dst.copyWithin(p * rk * block, p * block, (p + 1) * block);
        repeatInPlace(dst, p * rk * block, block, rk);
      }
    }
    tail = block * rk;
  }
}

export function blockTile(args: KernelArgs): tf.TensorInfo {
  const input = wasmInput(args);
  if (input === null) return runOriginal('Tile', args);
  const { x, backend } = input;
  const reps = (args.attrs as { reps: number[] }).reps;
  const outShape = x.shape.map((d, i) => d * (reps[i] as number));
  const out = backend.makeOutput(outShape, x.dtype);
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  tileInto(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
  return out;
}
