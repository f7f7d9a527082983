import * as tf from '@tensorflow/tfjs';
import {
  NATIVE_MATMUL_PLAIN,
  NATIVE_MATMUL_PLAIN_FUSED,
  NATIVE_MATMUL_SHARED,
  NATIVE_MATMUL_SHARED_FUSED,
} from './generated/native-matmul';
import { defineNativeModule, newWasmMemory } from './native-module';

export { wasmMemoryOf, type WasmMemory } from './native-module';

/**
 * @loop/runtime's own float32 product kernel (native/matmul.c, WebAssembly SIMD), instantiated on
 * tfjs-backend-wasm's linear memory so it reads and writes tensors in place. See wasm-kernels.ts
 * for where it runs. Two builds: fused (the default where WebAssembly relaxed SIMD compiles: each
 * multiply-add one f32x4.relaxed_madd, one rounding on CPUs with FMA; products 20-30% faster) and
 * plain (`LOOP_NATIVE_FMA=0`, or no relaxed SIMD: results bitwise those of tfjs' XNNPACK products).
 */

/**
 * C[e] = op(A[e]) op(B[e]) for e < batch; addresses in bytes, strides in elements (0 broadcasts);
 * transA / transB are 0 or 1; scratch holds nativeScratchFloats(...) floats.
 */
export type NativeBatchMatMul = (
  a: number,
  b: number,
  c: number,
  batch: number,
  m: number,
  k: number,
  n: number,
  strideA: number,
  strideB: number,
  transA: number,
  transB: number,
  scratch: number,
) => void;

const native = defineNativeModule<NativeBatchMatMul>({
  plain: NATIVE_MATMUL_PLAIN,
  shared: NATIVE_MATMUL_SHARED,
  fused: { plain: NATIVE_MATMUL_PLAIN_FUSED, shared: NATIVE_MATMUL_SHARED_FUSED },
  exportName: 'batch_matmul_f32',
  switchName: 'LOOP_NATIVE_MATMUL',
});

/**
 * Whether the kernel is switched off: `LOOP_NATIVE_MATMUL=0` (for comparisons with tfjs' own
 * products, and as a way out should a platform misbehave).
 */
export const nativeMatMulDisabled = native.disabled;

/**
 * The kernel bound to this memory, or null where it cannot run (no WebAssembly SIMD, or a memory
 * the module cannot import). Instantiated once per memory.
 */
export const nativeMatMulFor = native.forMemory;

/** The kernel for a wasm backend's Emscripten module (`backend.wasm`), or null when off or unavailable. */
export const nativeMatMulOfWasm = native.forWasm;

let fusesHere: boolean | undefined;

/**
 * Whether the fused build's multiply-add rounds once on this machine (it does where V8 lowers
 * relaxed_madd to an FMA instruction: x86-64 with FMA3, arm64); measured once, on a memory of its
 * own: 1 * -(1 + 2^-11) + (1 + 2^-12)^2 is 2^-24 fused and 0 with the product rounded first. False
 * where the fused build does not compile.
 */
export function fusedBuildFuses(): boolean {
  if (fusesHere !== undefined) return fusesHere;
  const memory = newWasmMemory();
  const kernel = native.forMemory(memory, true);
  fusesHere = false;
  if (kernel !== null) {
    const heap = new Float32Array(memory.buffer);
    const x = 1 + 2 ** -12;
    heap.set([1, x, -(1 + 2 ** -11), x, Number.NaN]); // A [1, 2] at 0, B [2, 1] at 8, C at 16
    kernel(0, 8, 16, 1, 1, 2, 1, 0, 0, 0, 0, 64);
    fusesHere = heap[4] === 2 ** -24;
  }
  return fusesHere;
}

/**
 * Floats of the kernel's own scratch (native/matmul.c): the packed block of one 8-column panel of B
 * (KC = 256 k-steps x 8) and one 6 x 8 output tile for the last (< 8) columns.
 */
export const NATIVE_PANEL_FLOATS = 256 * 8 + 6 * 8;

/**
 * Scratch floats the kernel needs for a product: op(A) if transA (m * k), op(B) if transB (k * n),
 * then NATIVE_PANEL_FLOATS.
 */
export function nativeScratchFloats(p: {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}): number {
  return (p.transA ? p.m * p.k : 0) + (p.transB ? p.k * p.n : 0) + NATIVE_PANEL_FLOATS;
}

/** How a product of these shapes maps onto the kernel, or null when it does not (e.g. mixed broadcasting). */
export interface NativeProductPlan {
  batch: number;
  m: number;
  k: number;
  n: number;
  strideA: number;
  strideB: number;
  transA: boolean;
  transB: boolean;
  outShape: number[];
}

/**
 * Plan for the product op(a) @ op(b) (op = transpose of the last two axes where the flag is set)
 * with tfjs' batch broadcasting, where one of: equal batch shapes, or one operand with a batch of 1
 * (broadcast with stride 0).
 */
export function nativeProductPlan(
  aShape: number[],
  bShape: number[],
  transA = false,
  transB = false,
): NativeProductPlan | null {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const [a0, a1] = [aShape[ra - 2] as number, aShape[ra - 1] as number];
  const [b0, b1] = [bShape[rb - 2] as number, bShape[rb - 1] as number];
  const [m, k] = transA ? [a1, a0] : [a0, a1];
  const [k2, n] = transB ? [b1, b0] : [b0, b1];
  if (k !== k2) return null;
  const batchShapeA = aShape.slice(0, -2);
  const batchShapeB = bShape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(batchShapeA);
  const batchB = tf.util.sizeFromShape(batchShapeB);
  let batchShape: number[];
  if (tf.util.arraysEqual(batchShapeA, batchShapeB)) batchShape = batchShapeA;
  else if (batchA === 1 || batchB === 1) {
    batchShape = tf.broadcast_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
  } else return null;
  const batch = tf.util.sizeFromShape(batchShape);
  return {
    batch,
    m,
    k,
    n,
    strideA: batchA === 1 ? 0 : m * k,
    strideB: batchB === 1 ? 0 : k * n,
    transA,
    transB,
    outShape: [...batchShape, m, n],
  };
}
