import * as tf from '@tensorflow/tfjs';
import { fullHessian, gradientVector, hvp, type LossFn } from '@loop/hessian';
import { createLoopedGPT, createToyAttention, stepLoss } from '@loop/models';
import { createRng } from '@loop/tasks';
import { randomBatch, gptConfigOf, type StepConfig } from './train-step';
import { summarize, timeMs, type TimingSummary } from './timing';

export interface HvpTiming {
  model: string;
  parameters: number;
  gradMs: TimingSummary;
  hvpMs: TimingSummary;
  /** median HVP time / median gradient time. */
  ratio: number;
  /** The same model's gradient and HVP in PyTorch (perf --peer torch; GPT only), or null. */
  peer?: { gradMs: TimingSummary; hvpMs: TimingSummary; ratio: number } | null;
}

export interface ToyConfig {
  dim: number;
  vocabSize: number;
  loops: number;
  seqLen: number;
  batch: number;
}

function unitVector(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const v = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    v[i] = rng.next() - 0.5;
    s += v[i]! * v[i]!;
  }
  for (let i = 0; i < n; i++) v[i]! /= Math.sqrt(s);
  return v;
}

/**
 * Warm-up before timing: V8 compiles the engine's code paths over the first calls (a toy gradient
 * runs ~3x slower on its first few calls than after ~20), so pairs run until both the count and
 * the time floor are reached, capped for large models.
 */
const WARMUP_MIN_PAIRS = 3;
const WARMUP_MAX_PAIRS = 20;
const WARMUP_MS = 1000;

/**
 * Timed pairs: at least `repeats` and this long. A toy pair takes ~6 ms and a garbage collection
 * lands on some of them: 10 pairs gave an HVP median of 5.26 ms (IQR 3.7-6.9) in one perf run,
 * against 4.2-4.6 ms over 100-300 pairs; ~150 pairs settle it. A GPT block's pair (~45 ms) needs ~20.
 */
const TIMED_MS = 1000;
const TIMED_MAX_PAIRS = 200;

/** Gradient and HVP alternately, at least `repeats` times each and TIMED_MS, after a warm-up (see WARMUP_MS). */
function timeGradAndHvp(
  model: string,
  loss: LossFn,
  params: tf.Variable[],
  repeats: number,
  seed: number,
): HvpTiming {
  const n = params.reduce((a, p) => a + p.size, 0);
  const v = unitVector(n, seed);
  const t0 = performance.now();
  for (let pairs = 0; pairs < WARMUP_MAX_PAIRS; pairs++) {
    if (pairs >= WARMUP_MIN_PAIRS && performance.now() - t0 >= WARMUP_MS) break;
    gradientVector(loss, params);
    hvp(loss, params, v);
  }
  const g: number[] = [];
  const h: number[] = [];
  let spent = 0;
  for (let i = 0; i < Math.max(repeats, TIMED_MAX_PAIRS); i++) {
    if (i >= repeats && spent >= TIMED_MS) break;
    g.push(timeMs(() => gradientVector(loss, params)));
    h.push(timeMs(() => hvp(loss, params, v)));
    spent += g[i]! + h[i]!;
  }
  const gradMs = summarize(g);
  const hvpMs = summarize(h);
  return { model, parameters: n, gradMs, hvpMs, ratio: hvpMs.median / gradMs.median };
}

function toyData(c: ToyConfig, seed: number): { tokens: tf.Tensor2D; targets: tf.Tensor1D } {
  const rng = createRng(seed);
  const tok = Int32Array.from({ length: c.batch * c.seqLen }, () => rng.int(0, c.vocabSize - 1));
  const tgt = Int32Array.from({ length: c.batch }, () => rng.int(0, c.vocabSize - 1));
  return { tokens: tf.tensor2d(tok, [c.batch, c.seqLen], 'int32'), targets: tf.tensor1d(tgt, 'int32') };
}

/** HVP vs gradient on the toy linear-attention model (needs enableSecondOrderGradients()). */
export function toyHvpTiming(c: ToyConfig, repeats: number, seed: number): HvpTiming {
  const toy = createToyAttention({ dim: c.dim, vocabSize: c.vocabSize, loops: c.loops, seed });
  const { tokens, targets } = toyData(c, seed + 1);
  try {
    return timeGradAndHvp(
      `toy d${c.dim} V${c.vocabSize} ${c.loops} loops`,
      () => toy.loss(tokens, targets),
      toy.variables,
      repeats,
      seed,
    );
  } finally {
    toy.dispose();
    tf.dispose([tokens, targets]);
  }
}

/** HVP vs gradient on the looped GPT (stepLoss at the last loop). */
export function gptHvpTiming(c: StepConfig, repeats: number, seed: number): HvpTiming {
  const model = createLoopedGPT(gptConfigOf(c), { seed });
  const { tokens, target, mask, steps } = randomBatch(c, seed + 1);
  try {
    const loss: LossFn = () => stepLoss(model.forward(tokens, { loops: c.loops }), target, mask, steps);
    return timeGradAndHvp(`${c.name}`, loss, model.variables, repeats, seed);
  } finally {
    model.dispose();
    tf.dispose([tokens, target, mask]);
  }
}

export interface FullHessianTiming {
  model: string;
  parameters: number;
  seconds: number;
  /** Max |H - H^T| before symmetrisation, relative to max |H| (a float32 round-off check). */
  asymmetry: number;
}

/** Time of the full Hessian (one HVP per parameter) of the toy model. */
export function toyFullHessianTiming(c: ToyConfig, seed: number): FullHessianTiming {
  const toy = createToyAttention({ dim: c.dim, vocabSize: c.vocabSize, loops: c.loops, seed });
  const { tokens, targets } = toyData(c, seed + 1);
  try {
    const loss: LossFn = () => toy.loss(tokens, targets);
    const t0 = performance.now();
    const H = fullHessian(loss, toy.variables, { symmetrize: false });
    const seconds = (performance.now() - t0) / 1000;
    const n = Math.round(Math.sqrt(H.length));
    let asym = 0;
    let big = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        big = Math.max(big, Math.abs(H[i * n + j]!));
        if (j > i) asym = Math.max(asym, Math.abs(H[i * n + j]! - H[j * n + i]!));
      }
    }
    return {
      model: `toy d${c.dim} V${c.vocabSize} ${c.loops} loops`,
      parameters: n,
      seconds,
      asymmetry: big > 0 ? asym / big : 0,
    };
  } finally {
    toy.dispose();
    tf.dispose([tokens, targets]);
  }
}
