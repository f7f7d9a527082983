// Configuration of `loop-bench perf`: the step configs, the schema, the profiles and the result type.

import { z } from 'zod';
import type { ExperimentProfiles } from '../../config/profiles';
import type { TimingSummary } from './timing';
import type { StepConfig } from './train-step';

const positive = z.number().int().positive();

const stepConfigSchema = z.strictObject({
  name: z.string().min(1),
  nEmbd: positive,
  nHead: positive,
  nLayer: positive.default(1),
  seqLen: positive,
  batch: positive,
  loops: positive,
  vocabSize: z.number().int().min(2).default(6),
  /** Samples per forward/backward pass (gradient accumulation; bounds the wasm heap). Default: batch. */
  microBatch: z.union([positive, z.literal('auto')]).default('auto'),
  /** Timed steps of ours (and of the peer), split over `rounds`. */
  repeats: positive,
});

const toySchema = z.strictObject({
  dim: positive,
  vocabSize: z.number().int().min(2),
  loops: positive,
  seqLen: positive,
  batch: positive,
});

export const schema = z
  .strictObject({
    configs: z.array(stepConfigSchema).min(1),
    /** Untimed steps before timing (allocation, weight packing, JIT): at least this many... */
    warmup: z.number().int().min(0),
    /**
     * ...and at least this long (at most MAX_WARMUP_STEPS steps): V8 compiles tfjs' engine paths
     * over the first ~0.7 s of steps (a C64-L1 step: 177, 31-62 ms over the first 10, 14-15 ms from
     * ~step 30), so a fixed count of 2 timed a moving target. The peer gets as many warm-up steps.
     */
    warmupSeconds: z.number().min(0),
    /** Ours and the peer alternate this many times per config (repeats are split evenly). */
    rounds: positive,
    peakMatmul: z.strictObject({ size: positive, repeats: positive }),
    hvp: z.strictObject({
      repeats: positive,
      toy: toySchema,
      gpt: stepConfigSchema.omit({ repeats: true, microBatch: true }),
    }),
    fullHessian: toySchema.nullable(),
    /** 'torch': also run peers/torch_step.py (PyTorch CPU) alternately and report the ratio. */
    peer: z.enum(['none', 'torch']),
    /** Python interpreter for the peer (Debian's python3-torch lives in /usr/bin/python3). */
    python: z.string().min(1),
    peerThreads: positive,
    /** Also write the results as JSON to this file (besides results.json in the run folder). */
    json: z.string().min(1).nullable(),
  })
  .refine((c) => c.configs.every((s) => s.nEmbd % s.nHead === 0), {
    message: 'configs[].nHead must divide nEmbd',
    path: ['configs'],
  })
  .refine((c) => c.configs.every((s) => s.repeats >= c.rounds), {
    message: 'configs[].repeats must be >= rounds',
    path: ['configs'],
  });

export type PerfConfig = z.output<typeof schema>;

const STANDARD = [
  { name: 'C64-L1', nEmbd: 64, nHead: 4, seqLen: 21, batch: 32, loops: 1 },
  { name: 'C64-L10', nEmbd: 64, nHead: 4, seqLen: 21, batch: 32, loops: 10 },
  { name: 'C256-L1', nEmbd: 256, nHead: 4, seqLen: 41, batch: 64, loops: 1 },
  { name: 'C256-L10', nEmbd: 256, nHead: 4, seqLen: 41, batch: 64, loops: 10 },
];

/** Cap on the time-based warm-up (`warmupSeconds`). */
export const MAX_WARMUP_STEPS = 200;

const common = { peer: 'none' as const, python: '/usr/bin/python3', peerThreads: 2, json: null };

function standard(repeats: number[]): z.input<typeof stepConfigSchema>[] {
  return STANDARD.map((c, i) => ({ ...c, nLayer: 1, vocabSize: 6, repeats: repeats[i]! }));
}

/** One config's timings. */
export interface StepResult {
  config: StepConfig;
  flops: number;
  /** Untimed steps run before timing (ours; the peer ran as many). */
  warmupSteps: number;
  /** cpuMs: process CPU time per step (user + system, all threads): far less sensitive to machine load than wall time. */
  ours: {
    ms: TimingSummary;
    cpuMs: TimingSummary;
    tokensPerS: number;
    gflops: number;
    peakShare: number;
    loss: number;
    tensorsBefore: number;
    tensorsAfter: number;
  };
  peer: {
    ms: TimingSummary;
    cpuMs: TimingSummary;
    tokensPerS: number;
    gflops: number;
    peakShare: number | null;
  } | null;
  /** median ours / median peer. */
  ratio: number | null;
  rssMiB: number;
  /** wasm linear memory after this config (monotone; the cap is 4096 MiB); null on other backends. */
  wasmHeapMiB: number | null;
}

/** The toy model of the HVP and full-Hessian timings (quick, full, paper). */
const TOY = { dim: 8, vocabSize: 8, loops: 3, seqLen: 8, batch: 64 };

const FULL: z.input<typeof schema> = {
  configs: standard([60, 20, 15, 6]),
  warmup: 3,
  warmupSeconds: 2,
  rounds: 3,
  peakMatmul: { size: 1024, repeats: 10 },
  hvp: {
    repeats: 10,
    toy: TOY,
    gpt: { name: 'GPT block C256', nEmbd: 256, nHead: 4, seqLen: 41, batch: 64, loops: 1 },
  },
  fullHessian: TOY,
  ...common,
};

export const PERF_PROFILES: ExperimentProfiles<z.input<typeof schema>> = {
  smoke: {
    seeds: 1,
    why: 'seconds; tiny configs, 3 timed steps; numbers are not meaningful',
    config: {
      configs: [
        { name: 'tiny-L1', nEmbd: 16, nHead: 2, seqLen: 5, batch: 4, loops: 1, repeats: 3 },
        { name: 'tiny-L2', nEmbd: 16, nHead: 2, seqLen: 5, batch: 4, loops: 2, repeats: 3 },
      ],
      warmup: 1,
      warmupSeconds: 0,
      rounds: 1,
      peakMatmul: { size: 128, repeats: 2 },
      hvp: {
        repeats: 2,
        toy: { dim: 4, vocabSize: 4, loops: 3, seqLen: 4, batch: 8 },
        gpt: { name: 'tiny-gpt', nEmbd: 8, nHead: 2, seqLen: 4, batch: 2, loops: 2 },
      },
      fullHessian: { dim: 3, vocabSize: 3, loops: 3, seqLen: 4, batch: 8 },
      ...common,
    },
  },
  quick: {
    seeds: 1,
    why: 'the standard configs (n_embd 64/4 heads/seq 21/batch 32 and 256/4/41/64, 1 and 10 loops), few repetitions: ~2-4 min on 2 cores with wasm (add the peer: x1.3)',
    config: {
      configs: standard([20, 8, 6, 3]),
      warmup: 2,
      warmupSeconds: 1.5,
      rounds: 3,
      peakMatmul: { size: 1024, repeats: 5 },
      hvp: {
        repeats: 10,
        toy: TOY,
        gpt: { name: 'GPT block C64', nEmbd: 64, nHead: 4, seqLen: 21, batch: 32, loops: 1 },
      },
      fullHessian: TOY,
      ...common,
    },
  },
  full: {
    seeds: 1,
    why: 'the standard configs with more repetitions and the HVP on the n_embd 256 block: ~15 min on 2 cores with wasm',
    config: FULL,
  },
  paper: {
    seeds: 1,
    why: 'same as full (the paper reports no timings); meant for tfjs-node(-gpu)',
    config: { ...FULL, peakMatmul: { size: 2048, repeats: 10 } },
  },
};
