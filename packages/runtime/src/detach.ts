import * as tf from '@tensorflow/tfjs';

interface EngineInternals {
  makeTensorFromDataId(dataId: tf.DataId, shape: number[], dtype: tf.DataType): tf.Tensor;
  backend: { incRef(dataId: tf.DataId): void };
}

/**
 * x's values as a tensor the tape does not connect to x (a stop-gradient): no gradient flows back
 * through it, to any order. Shares x's buffer (no kernel, no copy), like a reshape does. The caller
 * owns the result (tidy tracks it).
 */
export function detach<T extends tf.Tensor>(x: T): T {
  const engine = tf.engine() as unknown as EngineInternals;
  const y = engine.makeTensorFromDataId(x.dataId, x.shape, x.dtype);
  engine.backend.incRef(x.dataId);
  return y as T;
}
