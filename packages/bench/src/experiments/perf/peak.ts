import * as tf from '@tensorflow/tfjs';
import { matmulFlops } from './flops';
import { summarize, timeMs, type TimingSummary } from './timing';

export interface PeakMatmul {
  size: number;
  ms: TimingSummary;
  /** GFLOP/s of the fastest repetition: the backend's practical matmul peak on this machine. */
  peakGflops: number;
  medianGflops: number;
}

/** Times a plain (untransposed) size x size x size float32 matMul on the current backend. */
export function measurePeakMatmul(size: number, repeats: number): PeakMatmul {
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2) as tf.Tensor2D;
  const once = (): void => {
    const c = tf.matMul(a, b);
    c.dataSync(); // forces completion on asynchronous backends
    c.dispose();
  };
  once(); // warm-up (allocation, weight packing)
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push(timeMs(once));
  tf.dispose([a, b]);
  const ms = summarize(times);
  const flops = matmulFlops(size, size, size);
  return { size, ms, peakGflops: flops / (ms.min * 1e6), medianGflops: flops / (ms.median * 1e6) };
}
