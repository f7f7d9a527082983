/**
 * Training-step benchmark (not a test): median ms per step (forward through all loops + stepLoss +
 * backward + Adam) on the wasm backend, printed as JSON.
 *   npx tsx scripts/bench-step.ts [--reps N] [--backend wasm] [--only 64|256]
 */
import * as tf from '@tensorflow/tfjs';
import {
  accumulateGradients,
  createLoopedGPT,
  estimateActivationBytes,
  GPTConfig,
  initBackend,
  BackendPreference,
  planMicroBatches,
  stepLoss,
} from '../src';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const CONFIGS = [
  { nEmbd: 64, nHead: 4, seqLen: 21, batch: 32 },
  { nEmbd: 256, nHead: 4, seqLen: 41, batch: 64 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const backend = await initBackend(arg('backend', 'wasm') as BackendPreference, { log: () => {} });
  const repsArg = arg('reps', '');
  const only = arg('only', '');
  const results = [];
  for (const c of CONFIGS) {
    if (only && String(c.nEmbd) !== only) continue;
    for (const loops of [1, 10]) {
      const config: GPTConfig = {
        vocabSize: 6,
        nEmbd: c.nEmbd,
        nHead: c.nHead,
        nLayer: 1,
        inputInjection: true,
        positional: 'none',
        readIn: 'onehot',
      };
      const model = createLoopedGPT(config, { seed: 1 });
      const opt: tf.Optimizer = tf.train.adam(1e-4);
      const B = c.batch;
      const T = c.seqLen;
      const parts = planMicroBatches(B, estimateActivationBytes(config, { seqLen: T, loops }));
      let seed = 7;
      const rnd = (): number => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed / 4294967296;
      };
      const tokens = Int32Array.from({ length: B * T }, () => Math.floor(rnd() * 6));
      const target = Int32Array.from({ length: B * T }, () => Math.floor(rnd() * 6));
      const steps = new Array<number>(B).fill(loops);
      const offsets = parts.map((_, i) => parts.slice(0, i).reduce((a, b) => a + b, 0));
      const micro = parts.map((n, i) => ({
        x: tf.tensor2d(tokens.subarray(offsets[i] * T, (offsets[i] + n) * T), [n, T], 'int32'),
        y: tf.tensor2d(target.subarray(offsets[i] * T, (offsets[i] + n) * T), [n, T], 'int32'),
        m: tf.ones([n, T]) as tf.Tensor2D,
        steps: steps.slice(0, n),
      }));
      const cpuTimes: number[] = [];
      const step = (): number => {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        tf.tidy(() => {
          const { grads } = accumulateGradients(model.variables, micro.length, (i) =>
            stepLoss(model.forward(micro[i].x, { loops }), micro[i].y, micro[i].m, micro[i].steps, {
              denominator: B * T,
            }),
          );
          opt.applyGradients(grads);
        });
        const wall = performance.now() - t0;
        const c = process.cpuUsage(c0);
        cpuTimes.push((c.user + c.system) / 1000);
        return wall;
      };
      step(); // warm-up (kernel init, optimizer slots)
      cpuTimes.length = 0;
      const before = tf.memory().numTensors;
      // default: 10 timed steps for the small config, 3 for the large one
      const reps = repsArg ? Number(repsArg) : c.nEmbd <= 64 ? 10 : 3;
      const times = Array.from({ length: reps }, step);
      results.push({
        nEmbd: c.nEmbd,
        nHead: c.nHead,
        seqLen: T,
        batch: B,
        loops,
        reps,
        microBatches: parts,
        msPerStep: Math.round(median(times)),
        samplesMs: times.map(Math.round),
        // process CPU time per step: less sensitive than wall time to other load on the machine
        cpuMsPerStep: Math.round(median(cpuTimes)),
        tensorsFlat: tf.memory().numTensors === before,
      });
      micro.forEach((mb) => tf.dispose([mb.x, mb.y, mb.m]));
      model.dispose();
      opt.dispose();
    }
  }
  const load = (await import('node:os')).loadavg()[0];
  console.log(
    JSON.stringify({ backend, loadAverage1m: load, date: new Date().toISOString(), results }, null, 2),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
