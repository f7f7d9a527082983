// wasm heap after one training step per (loops, batch), each in a fresh process run by the caller.
// Usage: node --conditions=@loop/source --import tsx tools/dev/perf-heap.ts C T B loops [microBatch]
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@loop/models';
import { createTrainStep, wasmHeapBytes } from '@loop/bench';

async function main() {
  const [C = '256', T = '41', B = '64', L = '1', M] = process.argv.slice(2);
  await initBackend('wasm', { log: () => {} });
  const h0 = wasmHeapBytes()!;
  const s = createTrainStep(
    {
      name: 'h',
      nEmbd: +C,
      nHead: 4,
      nLayer: 1,
      seqLen: +T,
      batch: +B,
      loops: +L,
      vocabSize: 6,
      ...(M ? { microBatch: +M } : {}),
    },
    0,
  );
  const t0 = performance.now();
  s.step();
  const ms = performance.now() - t0;
  console.log(
    JSON.stringify({
      C: +C,
      T: +T,
      B: +B,
      L: +L,
      M: M ? +M : null,
      heapMiB0: h0 / 2 ** 20,
      heapMiB: wasmHeapBytes()! / 2 ** 20,
      ms: Math.round(ms),
      tensors: tf.memory().numTensors,
    }),
  );
}
main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
