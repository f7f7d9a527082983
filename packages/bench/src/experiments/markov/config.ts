import { z } from 'zod';

/** Shared config sections of the Markov-language experiments (all strict: unknown keys are errors). */
export const dataSchema = z.strictObject({
  vocabSize: z.number().int().min(2).max(16),
  length: z.number().int().min(2).max(12),
  /** Up to a million sequences: the study's data live in memory several times over. */
  size: z.number().int().min(1).max(1_000_000),
  valSize: z.number().int().min(1).max(1_000_000),
  alpha: z.number().min(0),
  concentration: z.number().positive(),
  /**
   * Seeds of the languages (transition-matrix draws) to run on; every training seed runs on each.
   * A claim that holds on one random language and not on its siblings is a property of that draw.
   */
  languages: z.array(z.number().int().min(0)).min(1).max(20),
  splitBy: z.enum(['examples', 'sequences']),
});

export const modelSchema = z.strictObject({
  /**
   * 'paper': the equations of Appendix D (fixed token embeddings, no positional encoding);
   * 'positional': our earlier variant with a fixed sinusoidal position code added to the embeddings.
   */
  variant: z.enum(['paper', 'positional']),
  dim: z.number().int().min(1).max(64),
  loops: z.number().int().min(2).max(16),
  gating: z.enum(['scalar', 'vector', 'none']),
});

export const trainSchema = z.strictObject({
  epochs: z.number().int().min(1).max(100_000),
  batchSize: z.number().int().min(1).max(1_000_000),
  lr: z.number().positive(),
  optimizer: z.enum(['adam', 'adamw']),
  weightDecay: z.number().min(0),
  /** Evaluate (accuracy by IC group, validation loss) every this many epochs. */
  evalEvery: z.number().int().min(1),
});

export const hessianSchema = z.strictObject({
  /** Full Hessian every k epochs (and at epoch 0). */
  every: z.number().int().min(1),
  /** How many seeds (from the first) of each language get Hessian snapshots (full Hessians are the slow part). */
  seeds: z.number().int().min(0),
  /** Training examples in the Hessian's loss (the first N of the shuffled training set). */
  samples: z.number().int().min(1),
  /** Epochs whose eigenvalue histograms are drawn (clipped to the run; the paper: 1,10,50,60,150,170,400). */
  histogramEpochs: z.array(z.number().int().min(0)).min(1),
  /** River threshold epsilon = relativeEpsilon x the larger spectral radius of the two models. */
  relativeEpsilon: z.number().positive().lt(1),
  /** U iff valley condition number <= 1 + delta. */
  delta: z.number().min(0),
  /** Low-curvature valley eigenvalues: below lowCurvature x the larger valley maximum (Assumption 1). */
  lowCurvature: z.number().positive().lt(1),
});

export const lengthGenSchema = z.strictObject({
  lengths: z.array(z.number().int().min(2).max(12)).min(1),
  /** Sequences per test length (drawn with the training distribution's rule, q ~ p^alpha). */
  size: z.number().int().min(1).max(1_000_000),
});

export const shiftSchema = z.strictObject({
  criterion: z.strictObject({
    plateauDelta: z.number().min(0),
    plateauPatience: z.number().int().min(1),
    gradDelta: z.number().positive(),
    gradPatience: z.number().int().min(1),
    maxWait: z.number().int().min(1).optional(),
  }),
  /** Extra fixed shift points as fractions of the remaining epochs after SCP (e.g. [0.33, 0.67]). */
  laterFractions: z.array(z.number().positive().lt(1)),
});

export const theorySchema = z.strictObject({
  valleyDim: z.number().int().min(2).max(200),
  riverDim: z.number().int().min(1).max(200),
  uMin: z.number().positive().max(1),
  vMin: z.number().positive().max(1),
  lr: z.number().positive(),
  steps: z.number().int().min(1),
  couplingScale: z.number().positive(),
  /** Training examples for the gradient-alignment measurement. */
  alignmentSamples: z.number().int().min(1),
});

export type DataConfig = z.output<typeof dataSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type TrainConfig = z.output<typeof trainSchema>;
export type HessianConfig = z.output<typeof hessianSchema>;
export type LengthGenConfig = z.output<typeof lengthGenSchema>;
export type ShiftConfig = z.output<typeof shiftSchema>;
export type TheoryConfig = z.output<typeof theorySchema>;

/** Cross-field limits: the Hessian's loss uses at most the training set. */
export function checkHessianSamples(
  v: { data: { size: number }; hessian: { samples: number } },
  ctx: z.RefinementCtx,
): void {
  if (v.hessian.samples > v.data.size)
    ctx.addIssue({
      code: 'custom',
      path: ['hessian', 'samples'],
      message: `hessian.samples (${v.hessian.samples}) must be at most data.size (${v.data.size}): the Hessian's loss uses training sequences`,
    });
}
