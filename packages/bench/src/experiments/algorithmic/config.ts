// Configuration, profiles and the resolved per-task settings of the algorithmic study (Appendix E.2).

import { DEFAULT_FIXED_POINT_PATIENCE, STOPPING_RULES, gptConfigForTask, type GPTConfig } from '@loop/models';
import { TASK_NAMES, getTask, type TaskName } from '@loop/tasks';
import { z } from 'zod';
import type { ExperimentProfiles } from '../../config/profiles';

export const METHODS = ['single', 'looped', 'shift', 'looped-wo'] as const;
export type Method = (typeof METHODS)[number];

/** Names used in tables and legends (the paper's). */
export const METHOD_LABEL: Record<Method, string> = {
  single: 'Single-Attn',
  looped: 'Looped-Attn',
  shift: 'SHIFT',
  'looped-wo': 'Looped-Attn-WO',
};

const positiveInt = z.number().int().positive();
const ref = z.literal('reference');

/** Settings a profile (or --config) may override for one task. */
const taskOverride = z.strictObject({
  layers: positiveInt.optional(),
  heads: positiveInt.optional(),
  maxTrainLength: positiveInt.optional(),
  testLength: positiveInt.optional(),
  steps: positiveInt.optional(),
  curriculumInterval: z.number().int().min(0).optional(),
  lr: z.number().positive().optional(),
});

export const algorithmicSchema = z.strictObject({
  /** Tasks to run (`--task name|all` sets this). */
  tasks: z.array(z.enum(TASK_NAMES)).min(1),
  methods: z.array(z.enum(METHODS)).min(1),
  /** Embedding width of every model. */
  nEmbd: positiveInt,
  /** Blocks per loop / attention heads: a number, or the task's reference value. */
  layers: z.union([positiveInt, ref]),
  heads: z.union([positiveInt, ref]),
  /** Longest training length (curriculum end = this + 1), or the reference value. */
  maxTrainLength: z.union([positiveInt, ref]),
  /** Longest test length (every length 1..testLength is tested), or the reference value. */
  testLength: z.union([positiveInt, ref]),
  /** Steps between curriculum increments (0: all lengths 1..maxTrainLength from step 0), or reference. */
  curriculumInterval: z.union([z.number().int().min(0), ref]),
  steps: positiveInt.max(10_000_000),
  batchSize: positiveInt.max(65_536),
  lr: z.number().positive(),
  weightDecay: z.number().min(0),
  clipNorm: z.number().positive(),
  /** Constant lr, or constant until the curriculum is ramped and then cosine to 0 (reference). */
  lrSchedule: z.enum(['constant', 'cosine']),
  evalEvery: positiveInt,
  /** Validation set (lengths 1..maxTrainLength), fresh training batch scored per evaluation, samples per test length. */
  valSize: positiveInt.max(1_000_000),
  trainEvalSize: positiveInt.max(1_000_000),
  testSize: positiveInt.max(1_000_000),
  /** SHIFT Criterion with Patience (SCP) on the validation loss. */
  scp: z.strictObject({
    plateauDelta: z.number().min(0),
    plateauPatience: positiveInt,
    gradDelta: z.number().positive(),
    gradPatience: positiveInt,
    maxWait: positiveInt.optional(),
  }),
  /** The stopping rule reported as "adaptive" (every rule is scored and reported beside it). */
  adaptiveRule: z.enum(STOPPING_RULES),
  /** Fixed-point rule: loops the answer must stay unchanged. */
  fixedPointPatience: positiveInt.max(100),
  /**
   * Stop a unit early once its validation accuracy has been 100% and its oracle accuracy at the
   * longest test length has moved by at most `delta` over the last `patience` evaluations (of its
   * last stage); null: always train every step.
   */
  earlyStop: z
    .strictObject({ patience: z.number().int().min(2).max(1000), delta: z.number().min(0).max(1) })
    .nullable(),
  /** Time a few training steps per task first and log the sweep's expected cost. */
  costProbe: z.boolean(),
  /** Checkpoint every N steps inside a unit (resume continues from it); 0 = only finished units resume. */
  checkpointEvery: z.number().int().min(0),
  /** Per-task overrides of the settings above. */
  perTask: z.partialRecord(z.enum(TASK_NAMES), taskOverride),
  /** `i/n`: run only shard i of n of the (task x method x seed) units (split by cost, task by task); null = all. */
  shard: z
    .string()
    .regex(/^\d+\/\d+$/, 'expected i/n, e.g. 0/4')
    .nullable(),
});

export type AlgorithmicConfig = z.output<typeof algorithmicSchema>;
export type AlgorithmicConfigInput = z.input<typeof algorithmicSchema>;

/** Everything one task's runs use, after applying the reference values and overrides. */
export interface TaskSettings {
  task: TaskName;
  layers: number;
  heads: number;
  maxTrainLength: number;
  testLength: number;
  curriculumInterval: number;
  steps: number;
  lr: number;
}

export function taskSettings(config: AlgorithmicConfig, task: TaskName): TaskSettings {
  const reference = getTask(task).reference;
  const o = config.perTask[task] ?? {};
  const pick = (v: number | 'reference', r: number): number => (v === 'reference' ? r : v);
  const s: TaskSettings = {
    task,
    layers: o.layers ?? pick(config.layers, reference.nLayer),
    heads: o.heads ?? pick(config.heads, reference.nHead),
    maxTrainLength: o.maxTrainLength ?? pick(config.maxTrainLength, reference.maxTrainLength),
    testLength: o.testLength ?? pick(config.testLength, reference.testLength),
    curriculumInterval: o.curriculumInterval ?? pick(config.curriculumInterval, reference.curriculumInterval),
    steps: o.steps ?? config.steps,
    lr: o.lr ?? config.lr,
  };
  if (config.nEmbd % s.heads !== 0) {
    throw new Error(
      `algorithmic: heads (${s.heads}) must divide nEmbd (${config.nEmbd}) for task ${task}; set heads or perTask.${task}.heads`,
    );
  }
  if (s.testLength < s.maxTrainLength) {
    throw new Error(
      `algorithmic: testLength (${s.testLength}) must be >= maxTrainLength (${s.maxTrainLength}) for task ${task}`,
    );
  }
  return s;
}

/** The model of one unit: the study's width, the task's layers and heads; Looped-Attn-WO without input injection. */
export function unitModelConfig(
  config: Pick<AlgorithmicConfig, 'nEmbd'>,
  s: TaskSettings,
  method: Method,
): GPTConfig {
  return gptConfigForTask(s.task, {
    nEmbd: config.nEmbd,
    nLayer: s.layers,
    nHead: s.heads,
    inputInjection: method !== 'looped-wo',
  });
}

const SCP_SMALL = { plateauDelta: 0.01, plateauPatience: 3, gradDelta: 0.2, gradPatience: 2, maxWait: 5 };

const BASE: Omit<AlgorithmicConfigInput, 'tasks' | 'methods' | 'steps'> = {
  nEmbd: 32,
  layers: 'reference',
  heads: 4,
  maxTrainLength: 6,
  testLength: 12,
  curriculumInterval: 0,
  batchSize: 32,
  lr: 1e-3,
  weightDecay: 0.01,
  clipNorm: 1,
  lrSchedule: 'constant',
  evalEvery: 25,
  valSize: 128,
  trainEvalSize: 64,
  testSize: 64,
  scp: SCP_SMALL,
  adaptiveRule: 'confidence-batch',
  fixedPointPatience: DEFAULT_FIXED_POINT_PATIENCE,
  checkpointEvery: 0,
  earlyStop: null,
  costProbe: true,
  perTask: {},
  shard: null,
};

export const ALGORITHMIC_PROFILES: ExperimentProfiles<AlgorithmicConfigInput> = {
  smoke: {
    seeds: 1,
    config: {
      ...BASE,
      tasks: ['parity', 'copy'],
      methods: ['single', 'looped', 'shift'],
      nEmbd: 8,
      heads: 2,
      layers: 1,
      maxTrainLength: 3,
      testLength: 5,
      steps: 12,
      batchSize: 8,
      evalEvery: 3,
      valSize: 16,
      trainEvalSize: 8,
      testSize: 8,
      scp: { plateauDelta: 10, plateauPatience: 1, gradDelta: 10, gradPatience: 1, maxWait: 1 },
      checkpointEvery: 3,
      costProbe: false,
    },
    why: 'seconds on the cpu backend; exercised by the tests (parity and copy, n_embd 8, 12 steps); numbers are not meaningful',
  },
  quick: {
    seeds: 1,
    config: {
      ...BASE,
      tasks: ['parity', 'copy'],
      methods: ['single', 'looped', 'shift'],
      steps: 1000,
      evalEvery: 50,
      testSize: 128,
      // Eager SCP so the switch happens inside the budget (measured at 600 steps: with plateauDelta
      // 0.01, patience 3 the parity validation loss kept improving and SHIFT never switched).
      scp: { plateauDelta: 0.02, plateauPatience: 2, gradDelta: 0.5, gradPatience: 1, maxWait: 3 },
      // Copy (2 layers, sequences twice as long) costs about 4x parity per step; measured probes:
      // lengths 1..5 with lr 3e-3 learned it better in 600 steps (val 0.83 looped) than 1..6 with 1e-3 (0.73).
      perTask: { copy: { maxTrainLength: 5, testLength: 10, lr: 3e-3 } },
    },
    why: 'part of `npm start`: parity and copy, n_embd 32, 4 heads, reference layers (1 and 2), batch 32, 1000 steps, no curriculum, 128 test samples per length; parity lengths 1..6 tested 1..12 (AdamW 1e-3), copy 1..5 tested 1..10 (3e-3); sized by measurement (docs/reproducing.md) to about 10 minutes on 2 shared wasm cores',
  },
  full: {
    seeds: 1,
    config: {
      ...BASE,
      tasks: ['parity', 'copy', 'addition', 'binary-sum', 'unique-set', 'multiplication'],
      methods: ['single', 'looped', 'shift', 'looped-wo'],
      nEmbd: 32,
      maxTrainLength: 8,
      testLength: 16,
      curriculumInterval: 150,
      steps: 2000,
      evalEvery: 50,
      valSize: 256,
      testSize: 128,
      lrSchedule: 'cosine',
      scp: { plateauDelta: 0.01, plateauPatience: 3, gradDelta: 0.3, gradPatience: 2, maxWait: 5 },
      perTask: { copy: { lr: 3e-3 }, multiplication: { maxTrainLength: 4, testLength: 8 } },
      checkpointEvery: 250,
    },
    why: 'all six tasks and the no-injection ablation, 1 seed, n_embd 32, reference layers, 4 heads, lengths to 8 (multiplication k to 4) with a curriculum of +1 length every 150 steps, tested to 2x, 2000 steps, cosine lr after the ramp; about 4 hours on 2 cores, extrapolated from the quick timings (not run end to end here)',
  },
  paper: {
    seeds: 1,
    config: {
      ...BASE,
      tasks: ['parity', 'copy', 'addition', 'binary-sum', 'unique-set'],
      methods: ['single', 'looped', 'shift', 'looped-wo'],
      nEmbd: 256,
      layers: 'reference',
      heads: 'reference',
      maxTrainLength: 'reference',
      testLength: 'reference',
      curriculumInterval: 'reference',
      steps: 50001,
      batchSize: 64,
      lr: 1e-4,
      lrSchedule: 'cosine',
      evalEvery: 500,
      valSize: 1024,
      trainEvalSize: 64,
      testSize: 6400,
      scp: { plateauDelta: 1e-3, plateauPatience: 5, gradDelta: 0.1, gradPatience: 3, maxWait: 20 },
      checkpointEvery: 1000,
    },
    why: 'Appendix E.2: n_embd 256, the reference layers/heads per task, batch 64, AdamW 1e-4 (wd 0.01, clip 1, cosine after the curriculum), 50,001 steps, reference curriculum and test lengths, 6400 test samples per length; for a GPU (tfjs-node-gpu)',
  },
  cpu: {
    seeds: 3,
    config: {
      ...BASE,
      tasks: ['parity', 'copy', 'addition', 'binary-sum', 'unique-set'],
      methods: ['single', 'looped', 'shift', 'looped-wo'],
      nEmbd: 64,
      heads: 4,
      layers: 'reference',
      maxTrainLength: 6,
      testLength: 12,
      curriculumInterval: 200,
      steps: 4000,
      batchSize: 64,
      lr: 1e-3,
      lrSchedule: 'cosine',
      evalEvery: 100,
      valSize: 256,
      trainEvalSize: 64,
      testSize: 256,
      scp: { plateauDelta: 0.01, plateauPatience: 3, gradDelta: 0.3, gradPatience: 2, maxWait: 5 },
      earlyStop: { patience: 10, delta: 0.02 },
      checkpointEvery: 500,
      // Parity at the floor search's setting (lengths 1..10 tested to 20); the other tasks are 2-9x
      // dearer per step at equal length (more layers, longer sequences), so they train to 6, tested to 12.
      perTask: { parity: { maxTrainLength: 10, testLength: 20 } },
    },
    why: "the decisive run on 2 CPU cores: parity, copy, addition, binary sum, unique set x Single-Attn, Looped-Attn, SHIFT, Looped-Attn-WO x 3 seeds; n_embd 64, 4 heads, reference layers, batch 64, AdamW 1e-3 with cosine decay after a +1-length-every-200-steps curriculum, 4,000 steps (stopped early once validation is 100% and the 2x accuracy holds still), 256 test samples per length; parity lengths 1..10 tested to 20 (the floor search's setting), the others 1..6 tested to 12; about 24 core-hours, run as 2 resumable shards",
  },
};
