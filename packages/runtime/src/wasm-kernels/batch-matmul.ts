/**
 * BatchMatMul on the native kernel, or per batch entry on XNNPACK. tfjs-backend-wasm 4.22 only hands
 * a product to XNNPACK when both operands have batch size 1 and no transpose flag; any batched
 * product (attention's [B,H,T,d] x [B,H,d,T]) falls into a scalar triple loop at about 2 GFLOP/s,
 * single-threaded. See wasm-kernels.ts (item 3) for the routing rules.
 */
import * as tf from '@tensorflow/tfjs';
import {
  nativeMatMulOfWasm,
  nativeProductPlan,
  nativeScratchFloats,
  type NativeBatchMatMul,
  type NativeProductPlan,
} from '../native-matmul';
import { isWasmBackend, memoryOffsetOf, type KernelArgs, type WasmBackendInternals } from '../wasm-backend';
import { runOriginal } from './originals';
import { nativeIsFaster, perEntryEligible, threadedWasm } from './product-routing';

type BatchMatMulFn = (...args: unknown[]) => void;

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

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/** The product on the native kernel, in place on the wasm heap. */
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
 * One XNNPACK product per batch entry: views of each operand's slice (a pointer and a size, no copy)
 * registered under temporary tensor ids and passed to the backend's own BatchMatMul entry point.
 */
function perEntryProduct(
  backend: WasmBackendInternals,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  aInfo: { memoryOffset: number },
  bInfo: { memoryOffset: number },
): tf.TensorInfo {
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

export function fastBatchMatMul(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const backend = args.backend;
  if (!isWasmBackend(backend)) return runOriginal('BatchMatMul', args);
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
  if (!perEntryEligible(a, b, attrs)) return runOriginal('BatchMatMul', args);
  const aInfo = backend.dataIdMap.get(a.dataId);
  const bInfo = backend.dataIdMap.get(b.dataId);
  if (aInfo === undefined || bInfo === undefined) return runOriginal('BatchMatMul', args);
  return perEntryProduct(backend, a, b, aInfo, bInfo);
}
