// Runnable example: SHIFT vs Looped-Attn vs Single-Attn on the toy Markov task (cpu backend).
//   npx tsx --conditions=@loop/source packages/shift/scripts/toy-shift.ts [outDir]
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { markovLanguage } from '@loop/tasks';
import {
  loopedSchedule,
  markovProblem,
  sharedToyModels,
  shiftSchedule,
  singleSchedule,
  train,
  type Schedule,
} from '@loop/shift';

async function run(name: string, schedule: Schedule, outDir: string) {
  const language = markovLanguage({ seed: 3 });
  const model = sharedToyModels({ dim: 8, vocabSize: 3, loops: [1, 3], seed: 5 });
  const problem = markovProblem({
    language,
    model,
    batchSize: 64,
    seed: 5,
    train: { size: 1024 },
    validation: { size: 512 },
    testLengths: [5, 6],
    testSize: 500,
  });
  const res = await train({
    problem,
    schedule,
    optimizer: { type: 'adam', lr: 0.02 },
    epochs: 20,
    evalEvery: { epochs: 1 },
    metricsFile: join(outDir, `${name}.jsonl`),
  });
  const m = res.finalMetrics ?? {};
  const shift = res.shifts[0];
  console.log(
    `${name.padEnd(7)} valAcc ${m.valAcc?.toFixed(3)} (simple ${m['valAcc.simple']?.toFixed(3)}, complex ${m['valAcc.complex']?.toFixed(3)})` +
      ` test6 ${m['test6.acc']?.toFixed(3)} | train ${(res.trainMs / 1000).toFixed(2)} s, ${(res.flops / 1e6).toFixed(0)} MFLOP` +
      (shift ? ` | shift at step ${shift.step} (plateau ${shift.plateauStep})` : ''),
  );
  model.dispose();
}

async function main() {
  await tf.setBackend('cpu');
  const outDir = process.argv[2] ?? join(tmpdir(), 'loop-shift-example');
  await run('single', singleSchedule(), outDir);
  await run('looped', loopedSchedule(3), outDir);
  await run(
    'shift',
    shiftSchedule({
      criterion: { plateauDelta: 0.01, plateauPatience: 2, gradDelta: 0.5, gradPatience: 1 },
      loops: 3,
    }),
    outDir,
  );
  console.log(`metrics logs in ${outDir}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
