/**
 * Identity and same-dtype Cast without a copy (item 1 of wasm-kernels.ts): tensor data is immutable
 * in tfjs, so the engine's saved-input clones and the Mul gradients' casts can share the buffer.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs, WasmBackendInternals } from '../wasm-backend';
import { runOriginal, wasmInput } from './originals';

/** A new tensor on x's buffer: data is immutable, so sharing it only needs a reference count. */
function shareBuffer(backend: WasmBackendInternals, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function sharedIdentity(args: KernelArgs): tf.TensorInfo {
  const input = wasmInput(args);
  if (input === null) return runOriginal('Identity', args);
  const { x, backend } = input;
  return shareBuffer(backend, x);
}

/** Cast to the tensor's own dtype (what every Mul gradient does to its other operand) shares the buffer too. */
export function sameTypeCast(args: KernelArgs): tf.TensorInfo {
  const input = wasmInput(args);
  const dtype = (args.attrs as { dtype: tf.DataType }).dtype;
  if (input === null || dtype !== input.x.dtype) return runOriginal('Cast', args);
  return shareBuffer(input.backend, input.x);
}
