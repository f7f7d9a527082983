// Kernel-time profile of one training step (tf.profile), grouped by kernel and input shapes.
// Usage: node --conditions=@loop/source --import tsx tools/dev/perf-profile.ts [backend] [C] [H] [T] [B] [loops]
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@loop/models';
import { createTrainStep } from '@loop/bench';

async function main() {
  const [backend = 'wasm', C = '64', H = '4', T = '21', B = '32', L = '1'] = process.argv.slice(2);
  await initBackend(backend as 'wasm', { log: () => {} });
  const s = createTrainStep(
    { name: 'p', nEmbd: +C, nHead: +H, nLayer: 1, seqLen: +T, batch: +B, loops: +L, vocabSize: 6 },
    0,
  );
  s.step();
  s.step();
  const by = new Map<string, { ms: number; n: number }>();
  let total = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const prof = await tf.profile(() => {
      s.step();
    });
    total += performance.now() - t0;
    for (const k of prof.kernels) {
      const key =
        k.name === 'BatchMatMul' || k.name === 'Transpose'
          ? `${k.name} ${JSON.stringify(k.inputShapes)}`
          : k.name;
      const e = by.get(key) ?? { ms: 0, n: 0 };
      e.ms += (k.kernelTimeMs as number) / 3;
      e.n += 1 / 3;
      by.set(key, e);
    }
  }
  const sum = [...by.values()].reduce((a, e) => a + e.ms, 0);
  console.log(`wall/step (profiled) ${(total / 3).toFixed(1)} ms, kernel sum ${sum.toFixed(1)} ms`);
  for (const [k, e] of [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30))
    console.log(`${e.ms.toFixed(2).padStart(8)} ms ${e.n.toFixed(0).padStart(4)}x ${k}`);
}
main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
