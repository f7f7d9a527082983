import * as tf from '@tensorflow/tfjs';
import {
  fusedBuildFuses,
  nativeMatMulFor,
  nativeMatMulOfWasm,
  nativeProductPlan,
  nativeScratchFloats,
  wasmMemoryOf,
  type NativeBatchMatMul,
  type NativeProductPlan,
} from './native-matmul';
import { geluKernelConfigs, registerGeluGradients } from './gelu-kernel';
import { normalizeKernelConfigs, registerNormalizeGradients } from './normalize-kernel';
import { registerSoftmaxGradients, softmaxKernelConfigs } from './softmax-kernel';
import { adamKernelConfigs } from './adam-kernel';
import { middleAxisView, nativeSumOfWasm } from './native-sum';
import { fusedProductsWanted } from './relaxed-simd';
import { isWasmBackend, memoryOffsetOf, type KernelArgs, type WasmBackendInternals } from './wasm-backend';

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
 *    shares the buffer instead of copying it.
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
 */

type BatchMatMulFn = (...args: unknown[]) => void;

let original: tf.KernelConfig | undefined;
let originalIdentity: tf.KernelConfig | undefined;
let originalSlice: tf.KernelConfig | undefined;
let originalCast: tf.KernelConfig | undefined;
let originalSplitV: tf.KernelConfig | undefined;
let originalTile: tf.KernelConfig | undefined;
let originalSum: tf.KernelConfig | undefined;
// One bound entry point per backend instance (a re-created backend has a new wasm module).
const entryPoints = new WeakMap<object, BatchMatMulFn>();

function entryPointOf(backend: WasmBackendInternals): BatchMatMulFn {
  let fn = entryPoints.get(backend);
  if (fn === undefined) {
    const argTypes = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'];
    fn = backend.wasm.cwrap('BatchMatMul', null, argTypes);
    entryPoints.set(backend, fn);
  }
  return fn;
}

/** Run the kernel this module replaced (for the cases it leaves alone). */
function runOriginal<T extends tf.TensorInfo | tf.TensorInfo[]>(
  config: tf.KernelConfig | undefined,
  args: KernelArgs,
): T {
  return (config as tf.KernelConfig).kernelFunc(args as Parameters<tf.KernelFunc>[0]) as T;
}

/** The input x and the wasm backend, or null when the call belongs to the original kernel. */
function wasmInput(args: KernelArgs): { x: tf.TensorInfo; backend: WasmBackendInternals } | null {
  const { x } = args.inputs as { x: tf.TensorInfo };
  return x.dtype !== 'string' && isWasmBackend(args.backend) ? { x, backend: args.backend } : null;
}

/** A new tensor on x's buffer: data is immutable, so sharing it only needs a reference count. */
function shareBuffer(backend: WasmBackendInternals, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/**
 * Entries below these sizes stay on the scalar loop: an XNNPACK call costs ~2 µs (operator creation,
 * weight packing, tensor views), more than the loop needs for a tiny product. Measured on wasm, batch
 * 64: 12x12x12 loop 0.13 ms vs per entry 0.25 ms; 16x16x16 0.24 vs 0.12; 8x64x8 0.20 vs 0.34;
 * 21x16x21 0.37 vs 0.15 (attention at n_embd 64).
 */
const MIN_ENTRY_MACS = 4096;
const MIN_ENTRY_OUTPUTS = 256;

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

function perEntryEligible(a: tf.TensorInfo, b: tf.TensorInfo, attrs: tf.NamedAttrMap): boolean {
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
function threadedWasm(
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
  return original !== undefined && isWasmBackend(backend) && nativeMatMulOfWasm(backend.wasm) !== null;
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

function nativeProduct(
  backend: WasmBackendInternals,
  kernel: NativeBatchMatMul,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  plan: NativeProductPlan,
): tf.TensorInfo {
  const out = backend.makeOutput(plan.outShape, 'float32');
  if (tf.util.sizeFromShape(plan.outShape) === 0) return out;
  const { batch, m, k, n, strideA, strideB, transA, transB } = plan;
  // Transposed operands are copied, transposed, into scratch by the kernel, entry by entry; B's
  // panels are packed there block by block.
  const scratch = backend.makeOutput([nativeScratchFloats(plan)], 'float32');
  const offset = (t: tf.TensorInfo): number => memoryOffsetOf(backend, t);
  try {
    kernel(
      offset(a),
      offset(b),
      offset(out),
      batch,
      m,
      k,
      n,
      strideA,
      strideB,
      transA ? 1 : 0,
      transB ? 1 : 0,
      offset(scratch),
    );
  } finally {
    backend.disposeData(scratch.dataId, true);
  }
  return out;
}

/**
 * On tfjs' threaded build, batch-1 products with at least this many rows stay on XNNPACK, which
 * splits them over its threads.
 */
const NATIVE_MAX_ROWS_2D = 256;

/**
 * Whether the native kernel is the faster choice for this product. On one thread: always. Since
 * it packs and blocks B's panels it runs the large 2-D products as fast as XNNPACK (the C256
 * step's products, packages/bench/scripts/native-build-ab.ts: 34.7-36.0 vs 35.4-35.7 GFLOP/s, and
 * XNNPACK packs its right operand again on every call with new weights), and the C256-L1 step took
 * 3-5% less with every product native (A/B in one process; before the packing, products with
 * 1024-float rows thrashed the cache and stayed on XNNPACK). On tfjs' threaded build only batched
 * and thin (rows < 256) ones: XNNPACK splits the others over its threads (C256-L1 step on 2 threads
 * in perf: 432-501 ms with its [2624,256] products native, 338-359 ms with this rule).
 */
function nativeIsFaster(plan: NativeProductPlan, threaded: boolean): boolean {
  return !threaded || plan.batch > 1 || plan.m < NATIVE_MAX_ROWS_2D;
}

function fastBatchMatMul(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const fallback = original as tf.KernelConfig;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const backend = args.backend;
  if (!isWasmBackend(backend)) return runOriginal(fallback, args);
  const attrs = args.attrs ?? {};
  const transA = attrs.transposeA === true;
  const transB = attrs.transposeB === true;
  const kernel = nativeMatMulOfWasm(backend.wasm);
  if (kernel !== null && a.dtype === 'float32' && b.dtype === 'float32') {
    const plan = nativeProductPlan(a.shape, b.shape, transA, transB);
    // A transposed product left to tfjs would run on its scalar loop: the native kernel is faster.
    if (plan !== null && (nativeIsFaster(plan, threadedWasm(backend)) || transA || transB)) {
      return nativeProduct(backend, kernel, a, b, plan);
    }
  }
  if (!perEntryEligible(a, b, attrs)) return runOriginal(fallback, args);
  const aInfo = backend.dataIdMap.get(a.dataId);
  const bInfo = backend.dataIdMap.get(b.dataId);
  if (aInfo === undefined || bInfo === undefined) return runOriginal(fallback, args);
  const entryPoint = entryPointOf(backend);
  const r = a.shape.length;
  const batchShape = a.shape.slice(0, -2);
  const batch = tf.util.sizeFromShape(batchShape);
  const [m, k, n] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  const out = backend.makeOutput([...batchShape, m, n], 'float32');
  const outOffset = (backend.dataIdMap.get(out.dataId) as { memoryOffset: number }).memoryOffset;
  const aShape = shapeBytes([1, m, k]);
  const bShape = shapeBytes([1, k, n]);
  const { registerTensor, disposeData } = backend.wasm.tfjs;
  for (let i = 0; i < batch; i++) {
    // Fresh ids from the backend's own counter, so they never collide with a live tensor. Disposing
    // the weight view also frees the XNNPACK operator the backend cached for it.
    const ta = backend.dataIdNextNumber++;
    const tb = backend.dataIdNextNumber++;
    const to = backend.dataIdNextNumber++;
    registerTensor(ta, m * k, aInfo.memoryOffset + i * m * k * 4);
    registerTensor(tb, k * n, bInfo.memoryOffset + i * k * n * 4);
    registerTensor(to, m * n, outOffset + i * m * n * 4);
    entryPoint(ta, aShape, 3, tb, bShape, 3, 0, 0, to);
    disposeData(ta);
    disposeData(tb);
    disposeData(to);
  }
  return out;
}

function sharedIdentity(args: KernelArgs): tf.TensorInfo {
  const input = wasmInput(args);
  if (input === null) return runOriginal(originalIdentity, args);
  const { x, backend } = input;
  return shareBuffer(backend, x);
}

/** Copy the sub-box `begin`/`size` of a row-major `src` of shape `shape` into `dst`, one inner run at a time. */
function copySlice(
  src: Float32Array | Int32Array | Uint8Array,
  shape: number[],
  begin: number[],
  size: number[],
  dst: Float32Array | Int32Array | Uint8Array,
): void {
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

function viewSlice(args: KernelArgs): tf.TensorInfo {
  const input = wasmInput(args);
  if (input === null) return runOriginal(originalSlice, args);
  const { x, backend } = input;
  const attrs = args.attrs as { begin: number | number[]; size?: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  return sliceInto(backend, x, begin, size);
}

function viewSplitV(args: KernelArgs): tf.TensorInfo[] {
  const input = wasmInput(args);
  if (input === null) return runOriginal(originalSplitV, args);
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

type HeapArray = Float32Array | Int32Array | Uint8Array;

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

/** Tile by block copies (the wasm Tile kernel computes a modular index per element: ~10x slower). */
function blockTile(args: KernelArgs): tf.TensorInfo {
  const input = wasmInput(args);
  if (input === null) return runOriginal(originalTile, args);
  const { x, backend } = input;
  const reps = (args.attrs as { reps: number[] }).reps;
  const outShape = x.shape.map((d, i) => d * (reps[i] as number));
  const out = backend.makeOutput(outShape, x.dtype);
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  tileInto(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
  return out;
}

/** Cast to the tensor's own dtype (what every Mul gradient does to its other operand) shares the buffer too. */
function sameTypeCast(args: KernelArgs): tf.TensorInfo {
  const input = wasmInput(args);
  const dtype = (args.attrs as { dtype: tf.DataType }).dtype;
  if (input === null || dtype !== input.x.dtype) return runOriginal(originalCast, args);
  return shareBuffer(input.backend, input.x);
}

/**
 * Sum over axes that are not the innermost ones, but adjacent (ignoring size-1 axes; bias and gain
 * gradients: [tokens, C] -> [C]), on native/sum.c in place: wasm's Sum would transpose the input
 * into a new buffer first. Bitwise the same result (each output added up in the same order).
 */
function middleAxisSum(args: KernelArgs): tf.TensorInfo {
  const input = wasmInput(args);
  const kernel = input === null || input.x.dtype !== 'float32' ? null : nativeSumOfWasm(input.backend.wasm);
  if (input === null || kernel === null) return runOriginal(originalSum, args);
  const { x, backend } = input;
  const attrs = args.attrs as { axis: number | number[]; keepDims: boolean };
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
  const view = middleAxisView(x.shape, axes);
  // Innermost axes need no transpose: wasm's own kernel is as good there.
  if (view === null || tf.backend_util.getAxesPermutation(axes, x.shape.length) === null) {
    return runOriginal(originalSum, args);
  }
  const outShape = tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[0];
  const shape = attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  const out = backend.makeOutput(shape, 'float32');
  if (tf.util.sizeFromShape(x.shape) > 0)
    kernel(memoryOffsetOf(backend, x), memoryOffsetOf(backend, out), ...view);
  else if (tf.util.sizeFromShape(shape) > 0) backend.typedArrayFromHeap(out).fill(0);
  return out;
}

/** Kernels of @loop/runtime's own (fused GELU, LayerNorm normalisation, softmax derivatives, Adam update). */
const FUSED_KERNELS = [
  ...geluKernelConfigs,
  ...normalizeKernelConfigs,
  ...softmaxKernelConfigs,
  ...adamKernelConfigs,
];

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
  if (original !== undefined) return;
  original = replaceKernel('BatchMatMul', fastBatchMatMul as tf.KernelFunc);
  originalIdentity = replaceKernel('Identity', sharedIdentity as tf.KernelFunc);
  originalSlice = replaceKernel('Slice', viewSlice as tf.KernelFunc);
  originalSplitV = replaceKernel('SplitV', viewSplitV as tf.KernelFunc);
  originalCast = replaceKernel('Cast', sameTypeCast as tf.KernelFunc);
  originalTile = replaceKernel('Tile', blockTile as tf.KernelFunc);
  originalSum = replaceKernel('Sum', middleAxisSum as tf.KernelFunc);
  for (const k of FUSED_KERNELS) tf.registerKernel(k);
  registerGeluGradients();
  registerNormalizeGradients();
  registerSoftmaxGradients();
}

/** Put tfjs' own wasm kernels back (for comparisons and tests). */
export function unregisterWasmKernels(): void {
  if (original === undefined) return;
  for (const k of FUSED_KERNELS) tf.unregisterKernel(k.kernelName, k.backendName);
  for (const k of [
    original,
    originalIdentity,
    originalSlice,
    originalSplitV,
    originalCast,
    originalTile,
    originalSum,
  ]) {
    if (k === undefined) continue;
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  original = undefined;
  originalIdentity = undefined;
  originalSlice = undefined;
  originalSplitV = undefined;
  originalCast = undefined;
  originalTile = undefined;
  originalSum = undefined;
}

/** Whether `registerWasmKernels` is in effect. */
export function wasmKernelsRegistered(): boolean {
  return original !== undefined;
}
