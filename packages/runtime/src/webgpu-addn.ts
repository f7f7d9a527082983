// tfjs-backend-webgpu's AddN binds every input as a storage buffer, so more inputs than the device's
// maxStorageBuffersPerShaderStage - 1 (7 under WebGPU's default limit) fail validation, while its
// Concat splits. The gradient tape sums a tensor's contributions with one AddN (19 in a small looped
// GPT), so AddN is split the same way: sums of chunks, then the sum of those.
import * as tf from '@tensorflow/tfjs';

interface Backend {
  disposeData(dataId: unknown): boolean;
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
}

let registered = false;

/** Register the chunking AddN over tfjs-backend-webgpu's own (idempotent). */
export function registerChunkedAddN(): void {
  if (registered) return;
  const original = tf.getKernel('AddN', 'webgpu');
  if (original === undefined) throw new Error('webgpu: tfjs-backend-webgpu registered no AddN kernel');
  const sum = (
    inputs: tf.TensorInfo[],
    backend: Backend,
    attrs: tf.NamedAttrMap | undefined,
  ): tf.TensorInfo => {
    const most = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= most)
      return original.kernelFunc({
        inputs: inputs as unknown as tf.NamedTensorInfoMap,
        backend,
        attrs,
      }) as tf.TensorInfo;
    const partials: tf.TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += most)
      partials.push(sum(inputs.slice(i, i + most), backend, attrs));
    const out = sum(partials, backend, attrs);
    for (const p of partials) backend.disposeData(p.dataId);
    return out;
  };
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({
    kernelName: 'AddN',
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) =>
      sum(inputs as unknown as tf.TensorInfo[], backend as unknown as Backend, attrs),
  });
  registered = true;
}
