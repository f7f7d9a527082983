/**
 * tfjs' own wasm kernels that ours replace, kept while ours are registered, and the helpers every
 * replacement uses to hand a call it leaves alone back to them.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmBackend, type KernelArgs, type WasmBackendInternals } from '../wasm-backend';

/** The replaced kernels, in registration order. */
export const REPLACED_KERNELS = [
  'BatchMatMul',
  'Identity',
  'Slice',
  'SplitV',
  'Cast',
  'Tile',
  'Sum',
] as const;
export type ReplacedKernel = (typeof REPLACED_KERNELS)[number];

/** tfjs' kernel for each replaced name while `registerWasmKernels` is in effect; empty otherwise. */
export const originals: { [name in ReplacedKernel]?: tf.KernelConfig } = {};

/** Run the kernel ours replaced (for the cases it leaves alone). */
export function runOriginal<T extends tf.TensorInfo | tf.TensorInfo[]>(
  name: ReplacedKernel,
  args: KernelArgs,
): T {
  return (originals[name] as tf.KernelConfig).kernelFunc(args as Parameters<tf.KernelFunc>[0]) as T;
}

/** The input x and the wasm backend, or null when the call belongs to the original kernel. */
export function wasmInput(args: KernelArgs): { x: tf.TensorInfo; backend: WasmBackendInternals } | null {
  const { x } = args.inputs as { x: tf.TensorInfo };
  return x.dtype !== 'string' && isWasmBackend(args.backend) ? { x, backend: args.backend } : null;
}

/** A view of a tensor's data on the wasm heap. */
export type HeapArray = Float32Array | Int32Array | Uint8Array;
