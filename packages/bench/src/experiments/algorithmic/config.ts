// Configuration schema and the resolved per-task settings of the algorithmic study (Appendix E.2);
// the named profiles are in ./profiles.

import { STOPPING_RULES, gptConfigForTask, type GPTConfig } from '@loop/models';
import { TASK_NAMES, getTask, type TaskName } from '@loop/tasks';
import { z } from 'zod';

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
