// Native kernels of @loop/runtime on and off, alternately in one process so that both see the same
// machine state (timings here drift by up to 1.5x over minutes; see docs/performance.md). Medians.
// Which: AB_VARS, a comma-separated list of switches set to 0 (off) or 1 (on) together; default
// LOOP_NATIVE_MATMUL (off: tfjs' own products, explicit transposes in the matmul gradient); others
// LOOP_NATIVE_GELU (off: GELU as tfjs ops), LOOP_NATIVE_SUM (off: wasm's Sum, transposing first),
// LOOP_NATIVE_LAYERNORM, LOOP_NATIVE_SOFTMAX and LOOP_NATIVE_ADAM (off: @loop/shift's AdamW as ops);
// LOOP_FAST_TAPE (off: tfjs' own gradient tape walk and saved-tensor copies; not a native kernel).
// Usage (from packages/bench):
//   node --conditions=@loop/source --import tsx tools/dev/native-ab.ts step [C64-L1|C64-L10|C256-L1]
//   node --conditions=@loop/source --import tsx tools/dev/native-ab.ts hvp [gpt|toy]
// Prefix LOOP_WASM_THREADS=2 for the threaded build.
import * as tf from '@tensorflow/tfjs';
import { enableSecondOrderGradients, gradientVector, hvp } from '@loop/hessian';
import { createLoopedGPT, createToyAttention, initBackend, stepLoss } from '@loop/models';
import { createTrainStep, gptConfigOf, randomBatch, type StepConfig } from '@loop/bench';

const CONFIGS: Record<string, StepConfig> = {
  'C64-L1': { name: 'C64-L1', nEmbd: 64, nHead: 4, nLayer: 1, seqLen: 21, batch: 32, loops: 1, vocabSize: 6 },
  'C64-L10': {
    name: 'C64-L10',
    nEmbd: 64,
    nHead: 4,
    nLayer: 1,
    seqLen: 21,
    batch: 32,
    loops: 10,
    vocabSize: 6,
  },
  'C256-L1': {
    name: 'C256-L1',
    nEmbd: 256,
    nHead: 4,
    nLayer: 1,
    seqLen: 41,
    batch: 64,
    loops: 1,
    vocabSize: 6,
  },
};
const MODES = ['0', '1'] as const; // off, on
const SWITCHES = (process.env.AB_VARS ?? 'LOOP_NATIVE_MATMUL').split(',').filter((v) => v !== '');

function setMode(m: string): void {
  for (const v of SWITCHES) process.env[v] = m;
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
const timed = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

function abStep(c: StepConfig): void {
  const s = createTrainStep(c, 0);
  const per = c.nEmbd >= 256 ? 3 : c.loops > 1 ? 4 : 10;
  for (let i = 0; i < 30 && i * c.loops * c.nEmbd < 3000; i++)
    for (const m of MODES) {
      setMode(m);
      s.step();
    }
  const t: Record<string, number[]> = { '0': [], '1': [] };
  for (let r = 0; r < 8; r++) {
    for (const m of MODES) {
      setMode(m);
      s.step(); // the first step after a switch compiles the other path
      for (let i = 0; i < per; i++) t[m]!.push(timed(() => s.step()));
    }
  }
  s.dispose();
  console.log(`${c.name} step ms: off ${median(t['0']!).toFixed(2)}, native ${median(t['1']!).toFixed(2)}`);
}

function abHvp(which: string): void {
  enableSecondOrderGradients();
  let loss: () => tf.Scalar;
  let params: tf.Variable[];
  if (which === 'toy') {
    const toy = createToyAttention({ dim: 8, vocabSize: 8, loops: 3, seed: 1 });
    const tokens = tf.randomUniformInt([64, 8], 0, 8, 2) as tf.Tensor2D;
    const targets = tf.randomUniformInt([64], 0, 8, 3) as tf.Tensor1D;
    loss = () => toy.loss(tokens, targets) as tf.Scalar;
    params = toy.variables;
  } else {
    const c = CONFIGS['C64-L1']!;
    const model = createLoopedGPT(gptConfigOf(c), { seed: 1 });
    const { tokens, target, mask, steps } = randomBatch(c, 2);
    loss = () => stepLoss(model.forward(tokens, { loops: c.loops }), target, mask, steps) as tf.Scalar;
    params = model.variables;
  }
  const n = params.reduce((a, p) => a + p.size, 0);
  const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const g: Record<string, number[]> = { '0': [], '1': [] };
  const h: Record<string, number[]> = { '0': [], '1': [] };
  for (let r = 0; r < 9; r++) {
    for (const m of MODES) {
      setMode(m);
      for (let i = 0; i < 3; i++) {
        gradientVector(loss, params);
        hvp(loss, params, v);
      }
      for (let i = 0; i < 5 && r > 0; i++) {
        g[m]!.push(timed(() => gradientVector(loss, params)));
        h[m]!.push(timed(() => hvp(loss, params, v)));
      }
    }
  }
  const line = (m: string): string =>
    `grad ${median(g[m]!).toFixed(2)} ms, HVP ${median(h[m]!).toFixed(2)} ms, ratio ${(median(h[m]!) / median(g[m]!)).toFixed(2)}`;
  console.log(
    `${which === 'toy' ? 'toy d8 V8 3 loops' : 'GPT block C64'}: off ${line('0')}; native ${line('1')}`,
  );
}

async function main(): Promise<void> {
  const [what = 'step', which] = process.argv.slice(2);
  console.log(`switching ${SWITCHES.join(', ')}`);
  await initBackend('wasm', { log: () => {} });
  if (what === 'hvp') return abHvp(which ?? 'gpt');
  const c = CONFIGS[which ?? 'C64-L1'];
  if (!c) throw new Error(`unknown config ${String(which)}; one of ${Object.keys(CONFIGS).join(', ')}`);
  abStep(c);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
