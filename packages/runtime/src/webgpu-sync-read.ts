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
    };
  };
  bufferManager: { acquireBuffer(size: number, usage: number): GpuBuffer; releaseBuffer(b: GpuBuffer): void };
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
let pumpWatched = false;

/** Remember the native callback Dawn schedules to process its events (see the file comment). */
export function watchDawnEvents(): void {
  if (pumpWatched) return;
  pumpWatched = true;
  const real = globalThis.setImmediate;
  const watched = ((fn: (...a: unknown[]) => void, ...args: unknown[]) => {
    if (typeof fn === 'function' && Function.prototype.toString.call(fn).includes('[native code]'))
      pump = fn as () => void;
    return real(fn, ...args);
  }) as typeof setImmediate;
  Object.assign(watched, {
    [promisify.custom]: (real as unknown as Record<symbol, unknown>)[promisify.custom],
  });
  globalThis.setImmediate = watched;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Process Dawn's events until `done()`; throws after READ_TIMEOUT_MS or when Dawn never scheduled any. */
function pumpUntil(done: () => boolean): void {
  const start = Date.now();
  for (let spins = 0; !done(); spins++) {
    if (pump === null)
      throw new Error(
        'webgpu: cannot wait for the GPU synchronously (the webgpu package scheduled no events)',
      );
    pump();
    // Busy for the first spins (a small read takes microseconds), then yield the core for 1 ms.
    if (spins > 100) Atomics.wait(sleeper, 0, 0, 1);
    if (Date.now() - start > READ_TIMEOUT_MS)
      throw new Error(`webgpu: a synchronous read waited over ${READ_TIMEOUT_MS / 1000} s for the GPU`);
  }
}

/** Copy a GPU buffer to a mappable one and wait for it (tfjs' own getBufferData, made synchronous). */
function readBufferSync(b: WebGpuBackendInternals, buffer: GpuBuffer): ArrayBuffer {
  const staging = b.bufferManager.acquireBuffer(buffer.size, COPY_DST_USAGE | MAP_READ_USAGE);
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  b.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);
  b.submitQueue();
  let failure = '';
  staging
    .mapAsync(MAP_MODE_READ)
    .catch((err: unknown) => (failure = err instanceof Error ? err.message : String(err)));
  pumpUntil(() => staging.mapState !== 'pending');
  if (staging.mapState !== 'mapped')
    throw new Error(`webgpu: mapping a buffer for a synchronous read failed${failure ? `: ${failure}` : ''}`);
  const out = staging.getMappedRange().slice(0);
  staging.unmap();
  b.bufferManager.releaseBuffer(staging);
  return out;
}

/** Replace the backend's canvas-based readSync with the mapped-buffer one (values cached as tfjs' read does). */
export function installSyncRead(backend: WebGpuBackendInternals): void {
  backend.readSync = function (this: WebGpuBackendInternals, dataId: unknown) {
    const data = this.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string') return data.values as tf.backend_util.BackendValues;
    if (data.dtype === 'complex64')
      throw new Error(
        'webgpu: synchronous reads of complex64 tensors are not supported; use await tensor.data()',
      );
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
