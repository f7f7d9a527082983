// Synchronous reads on tfjs-backend-webgpu in Node. Its own readSync goes through an
// OffscreenCanvas, which Node lacks, and the library reads synchronously in many places (the
// engine's loss and gradient norm, exact match, HVPs, checkpoints). This readSync copies to a
// mappable buffer, starts mapAsync, then drives Dawn's event loop by hand until the buffer is
// mapped: Dawn's Node binding processes its events in a callback it schedules with the global
// setImmediate, which is captured when it is scheduled and called directly while waiting.
import * as tf from '@tensorflow/tfjs';
import { promisify } from 'node:util';

/** The parts of a Dawn buffer used here (structural: no dependency on @webgpu/types). */
export interface GpuBuffer {
  readonly size: number;
  readonly mapState: 'unmapped' | 'pending' | 'mapped';
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}

/** The parts of tfjs-backend-webgpu's WebGPUBackend that the synchronous read uses (4.22). */
export interface WebGpuBackendInternals {
  tensorMap: {
    get(dataId: unknown): {
      values: tf.backend_util.BackendValues | null;
      dtype: tf.DataType;
      resource: GpuBuffer;
      complexTensorInfos?: { real: tf.TensorInfo; imag: tf.TensorInfo };
    };
  };
  bufferManager: {
    acquireBuffer(size: number, usage: number): GpuBuffer;
    releaseBuffer(b: GpuBuffer, reuse?: boolean): void;
  };
  commandEncoder: {
    copyBufferToBuffer(src: GpuBuffer, so: number, dst: GpuBuffer, d: number, size: number): void;
  };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: unknown, values: tf.backend_util.BackendValues): tf.backend_util.BackendValues;
  readSync(dataId: unknown): tf.backend_util.BackendValues;
}

// WebGPU's constants (the spec's values), so this file needs no globals to read them.
const MAP_READ_USAGE = 0x0001;
const COPY_DST_USAGE = 0x0008;
const MAP_MODE_READ = 0x0001;
/** A synchronous read waits at most this long for the GPU (a training step on llvmpipe takes seconds). */
const READ_TIMEOUT_MS = 600_000;

let pump: (() => void) | null = null;
/** Inside a window: Dawn's scheduling is what gets called here (see `watchDawnEvents`). */
let capturing = false;
/** While pumping by hand: Dawn's own reschedules are held back, and one is forwarded at the end. */
let pumping = false;
let heldBack: (() => void) | null = null;
let realSetImmediate: typeof setImmediate | null = null;

/** Dawn's event callback: a nameless native function of no parameters (not a bound function or a resolver). */
function isDawnCallback(fn: unknown): fn is () => void {
  return (
    typeof fn === 'function' &&
    fn.name === '' &&
    fn.length === 0 &&
    Function.prototype.toString.call(fn).includes('[native code]')
  );
}

/**
 * Wrap the global setImmediate to learn Dawn's event callback. It is taken only inside windows this
 * file opens (`withCapture`: starting the device, starting a map), so another caller's native
 * function is never mistaken for it; every captured one processes the same instance's events.
 */
export function watchDawnEvents(): void {
  if (realSetImmediate !== null) return;
  const real = globalThis.setImmediate;
  realSetImmediate = real;
  const watched = ((fn: (...a: unknown[]) => void, ...args: unknown[]) => {
    if ((capturing || pumping) && isDawnCallback(fn)) {
      pump = fn;
      if (pumping) {
        heldBack = fn; // one real turn is queued when the wait ends, not one per spin
        return undefined;
      }
    }
    return real(fn, ...args);
  }) as typeof setImmediate;
  Object.assign(watched, {
    [promisify.custom]: (real as unknown as Record<symbol, unknown>)[promisify.custom],
  });
  globalThis.setImmediate = watched;
}

/** Run `f` with Dawn's scheduling captured (it schedules when an asynchronous operation starts). */
export async function withCapture<T>(f: () => Promise<T>): Promise<T> {
  capturing = true;
  try {
    return await f();
  } finally {
    capturing = false;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Process Dawn's events until `done()`; throws after READ_TIMEOUT_MS or when Dawn never scheduled any. */
function pumpUntil(done: () => boolean): void {
  if (pump === null)
    throw new Error('webgpu: cannot wait for the GPU synchronously (the webgpu package scheduled no events)');
  const start = Date.now();
  pumping = true;
  try {
    for (let spins = 0; !done(); spins++) {
      pump();
      // Busy for the first spins (a small read takes microseconds), then yield the core for 1 ms.
      if (spins > 100) Atomics.wait(sleeper, 0, 0, 1);
      if (Date.now() - start > READ_TIMEOUT_MS)
        throw new Error(`webgpu: a synchronous read waited over ${READ_TIMEOUT_MS / 1000} s for the GPU`);
    }
  } finally {
    pumping = false;
    if (heldBack !== null && realSetImmediate !== null) realSetImmediate(heldBack);
    heldBack = null;
  }
}

/** Copy a GPU buffer to a mappable one and wait for it (tfjs' own getBufferData, made synchronous). */
function readBufferSync(b: WebGpuBackendInternals, buffer: GpuBuffer): ArrayBuffer {
  const staging = b.bufferManager.acquireBuffer(buffer.size, COPY_DST_USAGE | MAP_READ_USAGE);
  let mapped = false;
  try {
    b.ensureCommandEncoderReady();
    b.endComputePassEncoder();
    b.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);
    b.submitQueue();
    capturing = true;
    // A failed map shows as mapState 'unmapped' below; its rejection is only a duplicate of that.
    staging.mapAsync(MAP_MODE_READ).catch(() => undefined);
    pumpUntil(() => staging.mapState !== 'pending');
    if (staging.mapState !== 'mapped')
      throw new Error('webgpu: mapping a buffer for a synchronous read failed (device lost?)');
    mapped = true;
    const out = staging.getMappedRange().slice(0);
    staging.unmap();
    return out;
  } finally {
    capturing = false;
    // A buffer whose map failed or timed out is destroyed, never handed out again.
    b.bufferManager.releaseBuffer(staging, mapped);
  }
}

/** Replace the backend's canvas-based readSync with the mapped-buffer one (values cached as tfjs' read does). */
export function installSyncRead(backend: WebGpuBackendInternals): void {
  backend.readSync = function (this: WebGpuBackendInternals, dataId: unknown) {
    const data = this.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string') return data.values as tf.backend_util.BackendValues;
    if (data.dtype === 'complex64') {
      const { real, imag } = data.complexTensorInfos!;
      const merged = tf.backend_util.mergeRealAndImagArrays(
        this.readSync(real.dataId) as Float32Array,
        this.readSync(imag.dataId) as Float32Array,
      );
      return this.convertAndCacheOnCPU(dataId, merged);
    }
    const values = tf.util.convertBackendValuesAndArrayBuffer(
      readBufferSync(this, data.resource),
      data.dtype,
    );
    return this.convertAndCacheOnCPU(dataId, values as tf.backend_util.BackendValues);
  };
}

export function isWebGpuBackend(b: unknown): b is WebGpuBackendInternals {
  const x = b as Partial<WebGpuBackendInternals> | null;
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof x.convertAndCacheOnCPU === 'function' &&
    typeof x.submitQueue === 'function' &&
    typeof x.bufferManager?.acquireBuffer === 'function'
  );
}
