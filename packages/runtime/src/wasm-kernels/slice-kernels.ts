/**
 * Slice and SplitV that copy only the sliced runs, from a view of the wasm heap (item 2 of
 * wasm-kernels.ts): wasm's Slice copies its whole input for every slice it takes.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs, WasmBackendInternals } from '../wasm-backend';
import { runOriginal, wasmInput, type HeapArray } from './originals';

/** Copy the sub-box `begin`/`size` of a row-major `src` of shape `shape` into `dst`, one inner run at a time. */
function copySlice(src: HeapArray, shape: number[], begin: number[], size: number[], dst: HeapArray): void {
  const r = shape.length;
  if (r === 0) {
    dst.set(src.subarray(0, 1));
    return;
  }
  const strides = tf.util.computeStrides(shape);
  const inner = size[r - 1] as number;
  const outer = tf.util.sizeFromShape(size.slice(0, -1));
  const idx = new Array<number>(Math.max(0, r - 1)).fill(0);
  for (let o = 0; o < outer; o++) {
    let off = begin[r - 1] as number;
    for (let d = 0; d < r - 1; d++)
      off += ((begin[d] as number) + (idx[d] as number)) * (strides[d] as number);
    dst.set(src.subarray(off, off + inner), o * inner);
    for (let d = r - 2; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (size[d] as number)) break;
      idx[d] = 0;
    }
  }
}

function sliceInto(
  backend: WasmBackendInternals,
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  // Views taken after makeOutput: an allocation may grow (and so replace) the heap buffer.
  copySlice(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

export function viewSlice(args: KernelArgs): tf.TensorInfo {
  const input = wasmInput(args);
  if (input === null) return runOriginal('Slice', args);
  const { x, backend } = input;
  const attrs = args.attrs as { begin: number | number[]; size?: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  return sliceInto(backend, x, begin, size);
}

export function viewSplitV(args: KernelArgs): tf.TensorInfo[] {
  const input = wasmInput(args);
  if (input === null) return runOriginal('SplitV', args);
  const { x, backend } = input;
  const attrs = args.attrs as { numOrSizeSplits: number | number[]; axis: number | number[] };
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0] as number;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const out = sliceInto(backend, x, [...begin], size);
    begin[axis] = (begin[axis] as number) + s;
    return out;
  });
}
