/**
 * Measures HVP wall time / gradient wall time and full-Hessian seconds for the README.
 * Run from packages/hessian:
 *   npx tsx --conditions=@loop/source scripts/measure-performance.ts [--backend wasm|cpu] [--dims 8,16] [--full-max 1000]
 * The full Hessian (and its float64 eigendecomposition) is computed for toy models with at most
 * --full-max parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { createLoopedGPT, createToyAttention, initBackend, stepLoss, type BackendName } from '@loop/models';
import {
  eigSym,
  enableSecondOrderGradients,
  finiteDifferenceHvp,
  fullHessian,
  gradientVector,
  hvp,
  parameterCount,
} from '../src';
import { createProbeRng, gaussianVector } from '../src/rng';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Median process CPU milliseconds per call. CPU time rather than wall time, because the 2-core
 * development machine is shared; wasm and cpu backends are single-threaded, so on an idle machine
 * the two agree.
 */
function timeMs(f: () => void, repeats: number): number {
  for (let i = 0; i < 3; i++) f(); // warm-up (kernel setup, JIT, caches)
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c = process.cpuUsage();
    f();
    const d = process.cpuUsage(c);
    times.push((d.user + d.system) / 1000);
  }
  return median(times);
}

function cpuSeconds<T>(f: () => T): [T, number] {
  const c = process.cpuUsage();
  const out = f();
  const d = process.cpuUsage(c);
  return [out, (d.user + d.system) / 1e6];
}

interface Row {
  model: string;
  params: number;
  gradMs: number;
  hvpMs: number;
  ratio: number;
  fdRelErr: number;
  fullHessianS?: number;
  eigS?: number;
}

function measure(
  model: string,
  loss: () => tf.Scalar,
  params: tf.Variable[],
  repeats: number,
  full: boolean,
): Row {
  const n = parameterCount(params);
  const v = gaussianVector(n, createProbeRng(1));
  const gradMs = timeMs(() => gradientVector(loss, params), repeats);
  const hvpMs = timeMs(() => hvp(loss, params, v), repeats);
  const exact = hvp(loss, params, v);
  const fd = finiteDifferenceHvp(loss, params, v);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (exact[i] - fd[i]) ** 2;
    den += fd[i] ** 2;
  }
  const row: Row = { model, params: n, gradMs, hvpMs, ratio: hvpMs / gradMs, fdRelErr: Math.sqrt(num / den) };
  if (full) {
    const [H, hessianS] = cpuSeconds(() => fullHessian(loss, params));
    row.fullHessianS = hessianS;
    // With eigenvectors, as HessianTracker does (it needs |H| for the MI).
    row.eigS = cpuSeconds(() => eigSym(H, n))[1];
  }
  return row;
}

async function main(): Promise<void> {
  const backend = (await initBackend(arg('backend', 'wasm') as BackendName, {
    log: () => undefined,
  })) as string;
  enableSecondOrderGradients();
  const dims = arg('dims', '8,16').split(',').map(Number);
  const fullMax = Number(arg('full-max', '1000'));
  const rows: Row[] = [];
  // Markov-study data: vocabulary 3, predict token 4 from the first 3 (all 27 prefixes).
  const prefixes: number[][] = [];
  for (let a = 0; a < 3; a++)
    for (let b = 0; b < 3; b++) for (let c = 0; c < 3; c++) prefixes.push([a, b, c]);
  const rng = createProbeRng(5);
  const tokens = tf.tensor2d(prefixes, [27, 3], 'int32');
  const targets = tf.tensor1d(
    prefixes.map(() => Math.floor(rng.next() * 3)),
    'int32',
  );
  {
    // Global warm-up: the first measured model otherwise pays for wasm memory growth and JIT.
    const toy = createToyAttention({ dim: dims[0], vocabSize: 3, loops: 3, seed: 1 });
    const loss = (): tf.Scalar => toy.loss(tokens, targets);
    timeMs(() => hvp(loss, toy.variables, gaussianVector(parameterCount(toy.variables), rng)), 20);
    timeMs(() => gradientVector(loss, toy.variables), 20);
    toy.dispose();
  }
  for (const dim of dims) {
    for (const loops of [1, 3]) {
      const toy = createToyAttention({ dim, vocabSize: 3, loops, seed: 1 });
      const loss = (): tf.Scalar => toy.loss(tokens, targets);
      const full = parameterCount(toy.variables) <= fullMax;
      rows.push(
        measure(`toy ${loops === 1 ? 'Single' : 'Looped'}-Attn d=${dim}`, loss, toy.variables, 21, full),
      );
      toy.dispose();
    }
  }
  for (const [nEmbd, batch, seq] of [
    [64, 8, 20],
    [256, 8, 41],
  ]) {
    const gpt = createLoopedGPT(
      {
        vocabSize: 6,
        nEmbd,
        nHead: 4,
        nLayer: 1,
        inputInjection: true,
        positional: 'none',
        readIn: 'onehot',
      },
      { seed: 1 },
    );
    const tok = tf.tensor2d(
      Array.from({ length: batch * seq }, () => Math.floor(rng.next() * 6)),
      [batch, seq],
      'int32',
    );
    const tgt = tf.tensor2d(
      Array.from({ length: batch * seq }, () => Math.floor(rng.next() * 6)),
      [batch, seq],
      'int32',
    );
    const mask = tf.ones([batch, seq]) as tf.Tensor2D;
    const steps = new Array<number>(batch).fill(1);
    const loss = (): tf.Scalar => tf.tidy(() => stepLoss(gpt.forward(tok, { loops: 1 }), tgt, mask, steps));
    rows.push(
      measure(`GPT-2 block n_embd ${nEmbd}, batch ${batch}, seq ${seq}`, loss, gpt.variables, 5, false),
    );
    tf.dispose([tok, tgt, mask]);
    gpt.dispose();
  }
  console.log(
    `backend: ${backend}, tfjs ${tf.version.tfjs}, node ${process.version}; process CPU time (median per call)`,
  );
  console.log(
    '| model | params | gradient CPU ms | HVP CPU ms | HVP/grad | HVP vs FD rel. err | full Hessian CPU s | eigSym CPU s |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.model} | ${r.params} | ${r.gradMs.toFixed(1)} | ${r.hvpMs.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.fdRelErr.toExponential(1)} | ${r.fullHessianS?.toFixed(1) ?? '-'} | ${r.eigS?.toFixed(2) ?? '-'} |`,
    );
  }
}

void main();
