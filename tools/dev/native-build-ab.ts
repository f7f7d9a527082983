// Two builds of @loop/runtime's native kernels side by side on the wasm backend's own memory,
// alternately in one process (timings here drift by up to 1.5x over minutes): the working tree's
// and the one embedded at a git revision (default HEAD). matmul (native/matmul.c): the products of
// perf's C64 and C256 steps, with XNNPACK (tfjs' own kernel) on the untransposed ones, and a check
// that both builds give bitwise the same outputs; gelu (native/gelu.c): each derivative order on
// the C64 step's [672, 256] activations. Medians of 8 rounds.
// Usage (from packages/bench):
//   node --conditions=@loop/source --import tsx tools/dev/native-build-ab.ts matmul|gelu [rev]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nativeScratchFloats, wasmMemoryOf } from '@loop/models';
import { summarize } from '@loop/bench';

type Kernel = (...args: number[]) => void;
interface Backend {
  wasm: unknown;
  dataIdMap: { get(id: unknown): { memoryOffset: number } };
}

/**
 * The plain-memory build of native/<name>.c embedded at git revision `rev`, or in the working tree
 * (rev null), read from @loop/runtime's generated module as text (no import of another package's src).
 */
function buildAt(name: string, rev: string | null): string {
  const file = `packages/runtime/src/generated/native-${name}.ts`;
  const text =
    rev === null
      ? readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')
      : execFileSync('git', ['show', `${rev}:${file}`], { encoding: 'utf8' });
  const m = /_PLAIN =\s*'([^']+)'/.exec(text);
  if (!m) throw new Error(`no plain-memory build in ${file} at ${rev ?? 'the working tree'}`);
  return m[1] as string;
}

const median = (xs: number[]): number => summarize(xs).median;

/** ms per call of each f, one value per round: 8 rounds, the fs in turn, `reps` calls each (after one call). */
function timeRounds(fs: (() => void)[], reps: number): number[][] {
  const times = fs.map(() => [] as number[]);
  for (let r = 0; r < 8; r++) {
    fs.forEach((f, i) => {
      f();
      const t0 = performance.now();
      for (let j = 0; j < reps; j++) f();
      times[i]!.push((performance.now() - t0) / reps);
    });
  }
  return times;
}

// name, M, K, N, transA, transB
const PRODUCTS: [string, number, number, number, boolean, boolean][] = [
  ['C64 fc (672x64x256)', 672, 64, 256, false, false],
  ['C64 dW fc (64x672x256, tA)', 64, 672, 256, true, false],
  ['C64 dx proj (672x256x64, tB)', 672, 256, 64, false, true],
  ['C64 read-out (672x64x6)', 672, 64, 6, false, false],
  ['C64 dW read-out (64x672x6, tA)', 64, 672, 6, true, false],
  ['C64 attention scores (21x16x21)', 21, 16, 21, false, false],
  ['C256 fc (2624x256x1024)', 2624, 256, 1024, false, false],
  ['C256 proj (2624x1024x256)', 2624, 1024, 256, false, false],
  ['C256 dW fc (256x2624x1024, tA)', 256, 2624, 1024, true, false],
  ['C256 dW qkv (256x2624x256, tA)', 256, 2624, 256, true, false],
  ['C256 dx fc (2624x1024x256, tB)', 2624, 1024, 256, false, true],
  ['C256 dx proj (2624x256x1024, tB)', 2624, 256, 1024, false, true],
];

type Load = (b64: string, exportName: string) => Kernel;

function abMatmul(rev: string, load: Load, at: (t: tf.Tensor) => number): void {
  const kernels: [string, Kernel][] = [
    [rev, load(buildAt('matmul', rev), 'batch_matmul_f32')],
    ['working tree', load(buildAt('matmul', null), 'batch_matmul_f32')],
  ];
  for (const [name, m, k, n, tA, tB] of PRODUCTS) {
    const a = tf.randomNormal(tA ? [k, m] : [m, k], 0, 1, 'float32', 1);
    const b = tf.randomNormal(tB ? [n, k] : [k, n], 0, 1, 'float32', 2);
    const outs = kernels.map(() => tf.zeros([m * n]));
    // The larger of the two builds' scratch needs (the older one packs nothing).
    const scratch = tf.zeros([nativeScratchFloats({ m, k, n, transA: tA, transB: tB })]);
    const reps = m * k * n > 1e8 ? 2 : 20;
    const times = timeRounds(
      kernels.map(
        ([, kernel], i) =>
          () =>
            kernel(at(a), at(b), at(outs[i]!), 1, m, k, n, 0, 0, tA ? 1 : 0, tB ? 1 : 0, at(scratch)),
      ),
      reps,
    );
    let xnn: number[] = [];
    if (!tA && !tB) {
      process.env.LOOP_NATIVE_MATMUL = '0';
      xnn = timeRounds([() => tf.matMul(a, b).dispose()], reps)[0]!;
      delete process.env.LOOP_NATIVE_MATMUL;
    }
    const same = outs.every((o) => tf.util.arraysEqual(o.dataSync(), outs[0]!.dataSync()));
    const cell = (ms: number): string =>
      `${ms.toFixed(3)} ms (${((2 * m * k * n) / ms / 1e6).toFixed(1)} GFLOP/s)`;
    const cols = kernels.map(([label], i) => `${label}: ${cell(median(times[i]!))}`);
    if (xnn.length > 0) cols.push(`XNNPACK: ${cell(median(xnn))}`);
    console.log(`${name.padEnd(34)} ${cols.join('  ')}  ${same ? 'bitwise equal' : 'OUTPUTS DIFFER'}`);
    tf.dispose([a, b, scratch, ...outs]);
  }
}

function abGelu(rev: string, load: Load, at: (t: tf.Tensor) => number): void {
  const kernels: [string, Kernel][] = [
    [rev, load(buildAt('gelu', rev), 'gelu_f32')],
    ['working tree', load(buildAt('gelu', null), 'gelu_f32')],
  ];
  const n = 672 * 256;
  const x = tf.randomNormal([n], 0, 1, 'float32', 3);
  const dy = tf.randomNormal([n], 0, 1, 'float32', 4);
  for (let order = 0; order <= 3; order++) {
    const outs = kernels.map(() => tf.zeros([n]));
    const times = timeRounds(
      kernels.map(
        ([, kernel], i) =>
          () =>
            kernel(at(x), at(dy), at(outs[i]!), n, order),
      ),
      50,
    );
    const same = outs.every((o) => tf.util.arraysEqual(o.dataSync(), outs[0]!.dataSync()));
    const cols = kernels.map(([label], i) => `${label}: ${(median(times[i]!) * 1000).toFixed(0)} us`);
    console.log(
      `GELU order ${order} on [672, 256]`.padEnd(34),
      cols.join('  '),
      same ? 'bitwise equal' : 'OUTPUTS DIFFER',
    );
    tf.dispose(outs);
  }
  tf.dispose([x, dy]);
}

async function main(): Promise<void> {
  const [which = 'matmul', rev = 'HEAD'] = process.argv.slice(2);
  if (which !== 'matmul' && which !== 'gelu') throw new Error(`which must be matmul or gelu; got ${which}`);
  await initBackend('wasm', { log: () => {} });
  const backend = tf.backend() as unknown as Backend;
  const memory = wasmMemoryOf(backend.wasm);
  if (memory === undefined) throw new Error('no wasm memory');
  const api = (
    globalThis as unknown as {
      WebAssembly: {
        Module: new (bytes: Uint8Array) => object;
        Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
      };
    }
  ).WebAssembly;
  const load: Load = (b64, exportName) =>
    new api.Instance(new api.Module(Buffer.from(b64, 'base64')), { env: { memory } }).exports[
      exportName
    ] as unknown as Kernel;
  const at = (t: tf.Tensor): number => backend.dataIdMap.get(t.dataId).memoryOffset;
  if (which === 'matmul') abMatmul(rev, load, at);
  else abGelu(rev, load, at);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
