/**
 * Sum over axes that are not the innermost ones, but adjacent (ignoring size-1 axes; bias and gain
 * gradients: [tokens, C] -> [C]), on native/sum.c in place: wasm's Sum would transpose the input
 * into a new buffer first. Bitwise the same result (each output added up in the same order).
 */
import * as tf from '@tensorflow/tfjs';
import { middleAxisView, nativeSumOfWasm } from '../native-sum';
import { memoryOffsetOf, type KernelArgs } from '../wasm-backend';
import { runOriginal, wasmInput } from './originals';

export function middleAxisSum(args: KernelArgs): tf.TensorInfo {
  const input = wasmInput(args);
  const kernel = input === null || input.x.dtype !== 'float32' ? null : nativeSumOfWasm(input.backend.wasm);
  if (input === null || kernel === null) return runOriginal('Sum', args);
  const { x, backend } = input;
  const attrs = args.attrs as { axis: number | number[]; keepDims: boolean };
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
  const view = middleAxisView(x.shape, axes);
  // Innermost axes need no transpose: wasm's own kernel is as good there.
  if (view === null || tf.backend_util.getAxesPermutation(axes, x.shape.length) === null) {
    return runOriginal('Sum', args);
  }
  const outShape = tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[0];
  const shape = attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  const out = backend.makeOutput(shape, 'float32');
  if (tf.util.sizeFromShape(x.shape) > 0)
    kernel(memoryOffsetOf(backend, x), memoryOffsetOf(backend, out), ...view);
  else if (tf.util.sizeFromShape(shape) > 0) backend.typedArrayFromHeap(out).fill(0);
  return out;
}
