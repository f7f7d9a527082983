// Standalone timing of perf's training step (no peer, nothing else in the process): median and
// minimum wall ms and process CPU ms per step after one warm-up step, and the last losses.
// Usage: node --conditions=@loop/source --import tsx tools/dev/step-timing.ts C H T B loops reps [threads]
import { initBackend } from '@loop/models';
import { createTrainStep } from '@loop/bench';

async function main(): Promise<void> {
  const [C = '64', H = '4', T = '21', B = '32', L = '1', R = '30', threads = '1'] = process.argv.slice(2);
  await initBackend('wasm', { threads: threads === 'auto' ? 'auto' : Number(threads), log: () => {} });
  const s = createTrainStep(
    { name: 't', nEmbd: +C, nHead: +H, nLayer: 1, seqLen: +T, batch: +B, loops: +L, vocabSize: 6 },
    0,
  );
  s.step();
  const wall: number[] = [];
  const cpu: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < +R; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    losses.push(s.step());
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const r1 = (x: number): number => Math.round(x * 10) / 10;
  console.log(
    JSON.stringify({
      config: `C${C} H${H} T${T} B${B} L${L}`,
      threads,
      wallMedian: r1(med(wall)),
      wallMin: r1(Math.min(...wall)),
      cpuMedian: r1(med(cpu)),
      lastLosses: losses.slice(-2),
    }),
  );
  s.dispose();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
