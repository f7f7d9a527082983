/**
 * Which engine runs a product on the wasm backend: @loop/runtime's native kernel, XNNPACK (per batch
 * entry), or tfjs' scalar loop. The models ask before choosing transpose flags (matmul-gradient.ts).
 */
import * as tf from '@tensorflow/tfjs';
import {
  fusedBuildFuses,
  nativeMatMulFor,
  nativeMatMulOfWasm,
  nativeProductPlan,
  wasmMemoryOf,
  type NativeProductPlan,
} from '../native-matmul';
import { fusedProductsWanted } from '../relaxed-simd';
import { isWasmBackend, type WasmBackendInternals } from '../wasm-backend';
import { originals } from './originals';

/**
 * Entries below these sizes stay on the scalar loop: an XNNPACK call costs ~2 µs (operator creation,
 * weight packing, tensor views), more than the loop needs for a tiny product. Measured on wasm, batch
 * 64: 12x12x12 loop 0.13 ms vs per entry 0.25 ms; 16x16x16 0.24 vs 0.12; 8x64x8 0.20 vs 0.34;
 * 21x16x21 0.37 vs 0.15 (attention at n_embd 64).
 */
const MIN_ENTRY_MACS = 4096;
const MIN_ENTRY_OUTPUTS = 256;

/**
 * On tfjs' threaded build, batch-1 products with at least this many rows stay on XNNPACK, which
 * splits them over its threads.
 */
const NATIVE_MAX_ROWS_2D = 256;

/**
 * Whether op(a) @ op(b) with these transpose flags runs on the native kernel, which reads
 * transposed operands itself: then explicit transposes would only add kernels (and gradients).
 */
export function wasmProductTakesFlags(aShape: number[], bShape: number[], tA: boolean, tB: boolean): boolean {
  if (!nativeMatMulActive()) return false;
  const plan = nativeProductPlan(aShape, bShape, tA, tB);
  return plan !== null && nativeIsFaster(plan, threadedWasm());
}

/**
 * Whether the untransposed product op(a) @ op(b) of these shapes runs on XNNPACK on wasm (with the
 * kernels of this module, the native kernel aside: see wasmProductTakesFlags): batch 1, or a
 * per-entry batched product large enough. The others run on the scalar loop, which takes transpose
 * flags at no extra cost.
 */
export function wasmProductUsesXnnpack(aShape: number[], bShape: number[], tA = false, tB = false): boolean {
  const r = aShape.length;
  if (r < 2 || bShape.length < 2) return false;
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  if (tf.util.sizeFromShape(batchA) <= 1 && tf.util.sizeFromShape(batchB) <= 1) return true;
  if (batchA.length !== batchB.length || !tf.util.arraysEqual(batchA, batchB)) return false;
  const m = (tA ? aShape[r - 1] : aShape[r - 2]) as number;
  const k = (tA ? aShape[r - 2] : aShape[r - 1]) as number;
  const n = (tB ? bShape[bShape.length - 2] : bShape[bShape.length - 1]) as number;
  return m * k * n >= MIN_ENTRY_MACS && m * n >= MIN_ENTRY_OUTPUTS;
}

/** Whether a batched float32 product without transpose flags is large enough per entry for XNNPACK. */
export function perEntryEligible(a: tf.TensorInfo, b: tf.TensorInfo, attrs: tf.NamedAttrMap): boolean {
  const r = a.shape.length;
  if (attrs.transposeA === true || attrs.transposeB === true) return false;
  if (r < 3 || b.shape.length !== r || a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  const batchShape = a.shape.slice(0, -2);
  if (!tf.util.arraysEqual(batchShape, b.shape.slice(0, -2))) return false;
  const [m, k, n] = [a.shape[r - 2] as number, a.shape[r - 1] as number, b.shape[r - 1] as number];
  if (k !== b.shape[r - 2] || tf.util.sizeFromShape(batchShape) <= 1) return false;
  return m * k * n >= MIN_ENTRY_MACS && m * n >= MIN_ENTRY_OUTPUTS;
}

/**
 * Whether the current wasm backend is tfjs' threaded build (its memory is shared; `initBackend`
 * loads it for more than one thread): XNNPACK's products then use every thread, the native kernel one.
 */
export function threadedWasm(
  backend: unknown = tf.getBackend() === 'wasm' ? (tf.backend() as unknown) : null,
): boolean {
  if (!isWasmBackend(backend)) return false;
  const memory = wasmMemoryOf(backend.wasm);
  return (
    memory !== undefined &&
    typeof SharedArrayBuffer !== 'undefined' &&
    memory.buffer instanceof SharedArrayBuffer
  );
}

/** Whether @loop/runtime's native product kernel runs the products of the current wasm backend. */
export function nativeMatMulActive(): boolean {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown) : null;
  return (
    originals.BatchMatMul !== undefined && isWasmBackend(backend) && nativeMatMulOfWasm(backend.wasm) !== null
  );
}

/**
 * Whether the current wasm backend's products fuse each multiply-add (one rounding): they run on the
 * native kernel's fused build (native-matmul.ts; `LOOP_NATIVE_FMA=0` selects the plain one) and
 * this CPU fuses it. Results then differ from tfjs' own products by float32 round-off.
 */
export function nativeMatMulFused(): boolean {
  if (!nativeMatMulActive() || !fusedProductsWanted() || !fusedBuildFuses()) return false;
  const memory = wasmMemoryOf((tf.backend() as unknown as WasmBackendInternals).wasm);
  return memory !== undefined && nativeMatMulFor(memory, true) !== null;
}

/**
 * Whether the native kernel is the faster choice for this product. On one thread: always. Since
 * it packs and blocks B's panels it runs the large 2-D products as fast as XNNPACK (the C256
 * step's products, tools/dev/native-build-ab.ts: 34.7-36.0 vs 35.4-35.7 GFLOP/s, and
 * XNNPACK packs its right operand again on every call with new weights), and the C256-L1 step took
 * 3-5% less with every product native (A/B in one process; before the packing, products with
 * 1024-float rows thrashed the cache and stayed on XNNPACK). On tfjs' threaded build only batched
 * and thin (rows < 256) ones: XNNPACK splits the others over its threads (C256-L1 step on 2 threads
 * in perf: 432-501 ms with its [2624,256] products native, 338-359 ms with this rule).
 */
export function nativeIsFaster(plan: NativeProductPlan, threaded: boolean): boolean {
  return !threaded || plan.batch > 1 || plan.m < NATIVE_MAX_ROWS_2D;
}
