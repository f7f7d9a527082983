import * as tf from '@tensorflow/tfjs';
import { adamKernelConfigs } from './adam-kernel';
import { geluKernelConfigs, registerGeluGradients } from './gelu-kernel';
import { normalizeKernelConfigs, registerNormalizeGradients } from './normalize-kernel';
import { registerSoftmaxGradients, softmaxKernelConfigs } from './softmax-kernel';
import { fastBatchMatMul } from './wasm-kernels/batch-matmul';
import { originals, REPLACED_KERNELS, type ReplacedKernel } from './wasm-kernels/originals';
import { sameTypeCast, sharedIdentity } from './wasm-kernels/shared-buffer-kernels';
import { viewSlice, viewSplitV } from './wasm-kernels/slice-kernels';
import { middleAxisSum } from './wasm-kernels/sum-kernel';
import { blockTile } from './wasm-kernels/tile-kernel';
import type { KernelArgs } from './wasm-backend';

export {
  nativeMatMulActive,
  nativeMatMulFused,
  wasmProductTakesFlags,
  wasmProductUsesXnnpack,
} from './wasm-kernels/product-routing';

/**
 * Kernel replacements (1-4, exact: bitwise tfjs' results) and additions (5) for the wasm backend (tfjs-backend-wasm 4.22);
 * the native products registered elsewhere round once per multiply-add in the default fused build.
 *
 * 1. Identity without a copy. The engine saves every input a gradient needs by cloning it (the
 *    Identity kernel); wasm's Identity copies the buffer, so a training step copied ~150 tensors and
 *    the tape held every activation twice. Tensor data is immutable in tfjs (no kernel writes into
 *    an input), so the clone can share the buffer and bump its reference count, as wasm's own
 *    Reshape kernel and the cpu backend's Identity do.
 *
 * 2. Slice and SplitV without a full copy. wasm's Slice reads its whole input with readSync (a copy of
 *    the entire buffer) for every slice it takes, so splitting a flat parameter vector into n pieces
 *    copied it n times. These versions copy only the sliced runs, from a view of the wasm heap.
 *    Likewise a Cast to the same dtype (every Mul gradient casts its other operand to float32)
 *    shares the buffer instead of copying it. Tile, too, runs by block copies.
 *
 * 3. Faster BatchMatMul.
 *
 * Why: tfjs-backend-wasm 4.22 only hands a product to XNNPACK when both operands have batch size 1
 * and no transpose flag; any batched product (attention's [B,H,T,d] x [B,H,d,T]) falls into a
 * scalar triple loop at about 2 GFLOP/s, a tenth of the 2-D products, single-threaded; and XNNPACK
 * packs its right operand again on every call with a new tensor. This kernel sends batched,
 * transposed and thin products (see nativeIsFaster) to @loop/runtime's own WebAssembly SIMD kernel
 * (native-matmul.ts: in place on the backend's memory; its plain build bitwise XNNPACK's results,
 * its default fused build one rounding per multiply-add). Without it
 * (LOOP_NATIVE_MATMUL=0, or no WebAssembly SIMD) a batched product runs as one XNNPACK product per
 * batch entry: views of each operand's slice (a pointer and a size, no copy) registered under
 * temporary tensor ids and passed to the backend's own BatchMatMul entry point, which takes the
 * XNNPACK path. Everything else (non-float32; without the native kernel also transpose flags,
 * broadcast batch dimensions, batch size 1, and entries too small to pay for an XNNPACK call:
 * MIN_ENTRY_MACS / MIN_ENTRY_OUTPUTS) goes to the original kernel unchanged.
 *
 * Results differ from the scalar loop only by float32 summation order (XNNPACK is exact per entry
 * and independent of the thread count).
 *
 * 4. Sum over non-innermost axes without a transpose (middleAxisSum, native/sum.c): bitwise equal.
 *
 * 5. Fused GELU, LayerNorm-normalisation and softmax-derivative kernels (gelu-kernel.ts,
 *    normalize-kernel.ts, softmax-kernel.ts on native/gelu.c, normalize.c, softmax.c), used by the
 *    models through `geluTanh`, `layerNorm` and `softmaxLastAxis`. Unlike 1-4 these are new kernels,
 *    not replacements, and agree with the tfjs ops they stand for to float32 rounding, not bitwise.
 *    Also the Adam / AdamW update (adam-kernel.ts on native/adam.c) that @loop/shift's optimiser
 *    uses: bitwise its op-by-op update.
 *
 * One file per kernel group under wasm-kernels/: shared-buffer-kernels.ts (1, Cast), slice-kernels.ts
 * and tile-kernel.ts (2), batch-matmul.ts and product-routing.ts (3), sum-kernel.ts (4); the fused
 * kernels (5) live in their own modules. This file registers them and puts tfjs' own back.
 */

/** Kernels of @loop/runtime's own (fused GELU, LayerNorm normalisation, softmax derivatives, Adam update). */
const FUSED_KERNELS = [
  ...geluKernelConfigs,
  ...normalizeKernelConfigs,
  ...softmaxKernelConfigs,
  ...adamKernelConfigs,
];

/** Our function for each replaced kernel (registered in REPLACED_KERNELS order). */
const REPLACEMENTS: Record<ReplacedKernel, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]> = {
  BatchMatMul: fastBatchMatMul,
  Identity: sharedIdentity,
  Slice: viewSlice,
  SplitV: viewSplitV,
  Cast: sameTypeCast,
  Tile: blockTile,
  Sum: middleAxisSum,
};

function replaceKernel(name: string, kernelFunc: tf.KernelFunc): tf.KernelConfig {
  const current = tf.getKernel(name, 'wasm');
  if (current === undefined) {
    throw new Error(
      `registerWasmKernels: the wasm ${name} kernel is not registered; import @tensorflow/tfjs-backend-wasm first`,
    );
  }
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...current, kernelFunc });
  return current;
}

/**
 * Replace the wasm backend's Identity and same-dtype Cast (no copy), Slice and SplitV (no full-input
 * copy), Tile (block copies), Sum (no transpose) and BatchMatMul (native kernel) kernels, and add the
 * fused GELU, normalisation and softmax kernels (FUSED_KERNELS); idempotent. Needs the wasm kernels registered (import
 * @tensorflow/tfjs-backend-wasm first); `initBackend` calls it when it selects wasm.
 */
export function registerWasmKernels(): void {
  if (originals.BatchMatMul !== undefined) return;
  for (const name of REPLACED_KERNELS) {
    originals[name] = replaceKernel(name, REPLACEMENTS[name] as tf.KernelFunc);
  }
  for (const k of FUSED_KERNELS) tf.registerKernel(k);
  registerGeluGradients();
  registerNormalizeGradients();
  registerSoftmaxGradients();
}

/** Put tfjs' own wasm kernels back (for comparisons and tests). */
export function unregisterWasmKernels(): void {
  if (originals.BatchMatMul === undefined) return;
  for (const k of FUSED_KERNELS) tf.unregisterKernel(k.kernelName, k.backendName);
  for (const name of REPLACED_KERNELS) {
    const k = originals[name];
    if (k === undefined) continue;
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  for (const name of REPLACED_KERNELS) delete originals[name];
}

/** Whether `registerWasmKernels` is in effect. */
export function wasmKernelsRegistered(): boolean {
  return originals.BatchMatMul !== undefined;
}
