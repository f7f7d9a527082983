// Kernel calls and kernel time per kernel name for one gradient and one HVP (tf.profile), to see
// where double backprop spends its time; `step`: perf's C64-L1 training step (forward, backward,
// AdamW), per step over 10 steps after 30 warm-up steps. Usage:
// node --conditions=@loop/source --import tsx tools/dev/kernel-profile.ts [gpt|toy|step] [top]
// SHOW=Transpose also prints every call of that kernel (input and output shapes, ms, bytes added);
// HVP_LOOPS=150 runs only HVPs (for node --cpu-prof). Models: the perf quick profile's GPT block
// (n_embd 64, 4 heads, seq 21, batch 32, 1 loop) and toy (d 8, V 8, 3 loops, seq 8, batch 64).
import * as tf from '@tensorflow/tfjs';
import { enableSecondOrderGradients, gradientVector, hvp, type LossFn } from '@loop/hessian';
import { createLoopedGPT, createToyAttention, initBackend, stepLoss } from '@loop/models';
import { createTrainStep, randomBatch, gptConfigOf } from '@loop/bench';

interface Row {
  calls: number;
  ms: number;
}

async function byKernel(f: () => void): Promise<{ total: Row; rows: Map<string, Row> }> {
  const info = await tf.profile(f);
  const show = process.env.SHOW;
  for (const k of info.kernels) {
    if (k.name !== show) continue;
    console.log(
      k.name,
      JSON.stringify(k.inputShapes),
      JSON.stringify(k.outputShapes),
      k.kernelTimeMs,
      k.bytesAdded,
    );
  }
  const rows = new Map<string, Row>();
  const total = { calls: 0, ms: 0 };
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const r = rows.get(k.name) ?? { calls: 0, ms: 0 };
    r.calls++;
    r.ms += ms;
    total.calls++;
    total.ms += ms;
    rows.set(k.name, r);
  }
  return { total, rows };
}

/** perf's training step, as perf runs it (before second-order gradients are enabled). */
async function profileStep(top: number): Promise<void> {
  const c = { name: 'C64-L1', nEmbd: 64, nHead: 4, nLayer: 1, seqLen: 21, batch: 32, loops: 1, vocabSize: 6 };
  const s = createTrainStep(c, 0);
  for (let i = 0; i < 30; i++) s.step();
  const sum = new Map<string, Row>();
  const steps = 10;
  for (let i = 0; i < steps; i++) {
    const { rows } = await byKernel(() => void s.step());
    for (const [k, r] of rows) {
      const a = sum.get(k) ?? { calls: 0, ms: 0 };
      sum.set(k, { calls: a.calls + r.calls / steps, ms: a.ms + r.ms / steps });
    }
  }
  s.dispose();
  const rows = [...sum.entries()].sort((a, b) => b[1].ms - a[1].ms);
  console.log(`${'kernel'.padEnd(20)}${'calls'.padStart(8)}${'ms'.padStart(8)}`);
  for (const [k, r] of rows.slice(0, top))
    console.log(`${k.padEnd(20)}${String(Math.round(r.calls)).padStart(8)}${r.ms.toFixed(2).padStart(8)}`);
  const calls = rows.reduce((a, [, r]) => a + r.calls, 0);
  const ms = rows.reduce((a, [, r]) => a + r.ms, 0);
  console.log(`${'TOTAL'.padEnd(20)}${String(Math.round(calls)).padStart(8)}${ms.toFixed(2).padStart(8)}`);
}

async function main(): Promise<void> {
  const [which = 'gpt', top = '25'] = process.argv.slice(2);
  await initBackend('wasm', { log: () => {} });
  if (which === 'step') return profileStep(+top);
  enableSecondOrderGradients();
  let loss: LossFn;
  let params: tf.Variable[];
  if (which === 'toy') {
    const toy = createToyAttention({ dim: 8, vocabSize: 8, loops: 3, seed: 1 });
    const tokens = tf.randomUniformInt([64, 8], 0, 8, 2);
    const targets = tf.randomUniformInt([64], 0, 8, 3);
    loss = () => toy.loss(tokens as tf.Tensor2D, targets as tf.Tensor1D);
    params = toy.variables;
  } else {
    const c = { name: 'C64', nEmbd: 64, nHead: 4, nLayer: 1, seqLen: 21, batch: 32, loops: 1, vocabSize: 6 };
    const model = createLoopedGPT(gptConfigOf(c), { seed: 1 });
    const { tokens, target, mask, steps } = randomBatch(c, 2);
    loss = () => stepLoss(model.forward(tokens, { loops: c.loops }), target, mask, steps);
    params = model.variables;
  }
  const n = params.reduce((a, p) => a + p.size, 0);
  const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  for (let i = 0; i < 3; i++) {
    gradientVector(loss, params);
    hvp(loss, params, v);
  }
  const loops = Number(process.env.HVP_LOOPS ?? 0);
  if (loops > 0) {
    // for node --cpu-prof: nothing but HVPs
    for (let i = 0; i < loops; i++) hvp(loss, params, v);
    return;
  }
  const g = await byKernel(() => void gradientVector(loss, params));
  const h = await byKernel(() => void hvp(loss, params, v));
  const names = [...new Set([...g.rows.keys(), ...h.rows.keys()])].sort(
    (a, b) => (h.rows.get(b)?.ms ?? 0) - (h.rows.get(a)?.ms ?? 0),
  );
  const f = (x: number): string => x.toFixed(2).padStart(8);
  console.log(
    `${'kernel'.padEnd(20)}${'g calls'.padStart(8)}${'g ms'.padStart(8)}${'h calls'.padStart(8)}${'h ms'.padStart(8)}`,
  );
  for (const k of names.slice(0, +top)) {
    const a = g.rows.get(k) ?? { calls: 0, ms: 0 };
    const b = h.rows.get(k) ?? { calls: 0, ms: 0 };
    console.log(
      `${k.padEnd(20)}${String(a.calls).padStart(8)}${f(a.ms)}${String(b.calls).padStart(8)}${f(b.ms)}`,
    );
  }
  console.log(
    `${'TOTAL'.padEnd(20)}${String(g.total.calls).padStart(8)}${f(g.total.ms)}${String(h.total.calls).padStart(8)}${f(h.total.ms)}`,
  );
  const wall = (f: () => void, r = 20): number => {
    const t: number[] = [];
    for (let i = 0; i < r; i++) {
      const t0 = performance.now();
      f();
      t.push(performance.now() - t0);
    }
    return t.sort((a, b) => a - b)[r >> 1]!;
  };
  const gw = wall(() => void gradientVector(loss, params));
  const hw = wall(() => void hvp(loss, params, v));
  console.log(
    `wall median: gradient ${gw.toFixed(2)} ms, hvp ${hw.toFixed(2)} ms, ratio ${(hw / gw).toFixed(2)}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
