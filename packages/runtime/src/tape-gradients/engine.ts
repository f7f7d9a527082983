/** The parts of tfjs' engine (internal API of 4.22) that the fast tape walk reads and replaces. */
import type * as tf from '@tensorflow/tfjs';

/** A node of tfjs' tape (engine internals; the fields the walk reads). */
export interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

export type GradientsFn = (
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
  allowNoGradients?: boolean,
) => { value: tf.Tensor; grads: tf.Tensor[] };

/** The engine members the method uses (public at run time, private in tfjs' typings). */
export interface EngineInternals {
  state: {
    activeTape: TapeNode[] | null;
    gradientDepth: number;
    activeScope: { name: string };
    tensorInfo: { get(dataId: object): { backend: tf.KernelBackend } | undefined };
  };
  makeTensorFromDataId(
    dataId: object,
    shape: number[],
    dtype: tf.DataType,
    backend: tf.KernelBackend,
  ): tf.Tensor;
  runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs?: tf.NamedAttrMap): tf.Tensor;
  addTapeNode(
    kernelName: string,
    inputs: Record<string, tf.Tensor>,
    outputs: tf.Tensor[],
    gradient: (dy: tf.Tensor) => Record<string, () => tf.Tensor>,
    saved: tf.Tensor[],
    attrs: tf.NamedAttrMap,
  ): void;
  clone: (this: EngineInternals, x: tf.Tensor) => tf.Tensor;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
  tidy<T extends tf.TensorContainer>(f: () => T): T;
  gradients: GradientsFn;
}
