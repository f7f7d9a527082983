import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm that @loop/runtime's kernels use (internal API of 4.22). */
export interface WasmBackendInternals {
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: {
      registerTensor: (id: number, size: number, offset: number) => void;
      disposeData: (id: number) => void;
    };
  };
  disposeData(dataId: unknown, force?: boolean): boolean;
  dataIdMap: { get(dataId: unknown): { id: number; memoryOffset: number } | undefined };
  incRef(dataId: unknown): void;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** Kernel function arguments as tfjs passes them. */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

export function isWasmBackend(backend: unknown): backend is WasmBackendInternals {
  const b = backend as Partial<WasmBackendInternals> | null;
  return (
    b !== null &&
    typeof b === 'object' &&
    typeof b.makeOutput === 'function' &&
    typeof b.dataIdNextNumber === 'number' &&
    typeof b.wasm?.cwrap === 'function' &&
    typeof b.wasm.tfjs?.registerTensor === 'function'
  );
}

/** Byte address of a tensor's data in the wasm heap. */
export function memoryOffsetOf(backend: WasmBackendInternals, t: tf.TensorInfo): number {
  const info = backend.dataIdMap.get(t.dataId);
  if (info === undefined) throw new Error('wasm kernel: a tensor input is not on the wasm backend');
  return info.memoryOffset;
}
