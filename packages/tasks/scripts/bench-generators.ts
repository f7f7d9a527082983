/**
 * Generator throughput: examples per second for every task at lengths 20 and 40, in batches of 64
 * (single-length test layout) and as training batches with lengths uniform in 1..n.
 * Run from packages/tasks: `npx tsx scripts/bench-generators.ts` (optional: --seconds 1).
 */
import { createRng, getTask, TASK_NAMES } from '../src/index';

const argIdx = process.argv.indexOf('--seconds');
const seconds = argIdx > 0 ? Number(process.argv[argIdx + 1]) : 1;
const BATCH = 64;

function measure(run: () => void): number {
  // Warm up (JIT), then count batches until the time budget is spent.
  for (let i = 0; i < 20; i++) run();
  let batches = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    for (let i = 0; i < 10; i++) run();
    batches += 10;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return (batches * BATCH) / elapsed;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`node ${process.version}, batch ${BATCH}, ${seconds}s per cell`);
console.log('| task | n = 20, fixed | n = 40, fixed | 1..20, training | 1..40, training |');
console.log('|---|---:|---:|---:|---:|');
for (const name of TASK_NAMES) {
  const task = getTask(name);
  const rng = createRng(1).fork(name);
  const cells = [20, 40].map((n) => measure(() => task.batch({ size: BATCH, length: n, rng })));
  const train = [20, 40].map((n) => measure(() => task.batch({ size: BATCH, maxLength: n, rng })));
  console.log(`| ${name} | ${[...cells, ...train].map(fmt).join(' | ')} |`);
}
