/** Shared public types of the algorithmic tasks. */
import type { Rng } from './rng';

export const TASK_NAMES = [
  'parity',
  'copy',
  'addition',
  'binary-sum',
  'unique-set',
  'multiplication',
] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/**
 * One sample, padded. `input` is the question, "=" and pad tokens; `target[p]` is token p+1 of
 * `question = answer EOS EOS ...` (next-token shift); `mask[p]` is 1 from the "=" position to the end.
 */
export interface Example {
  input: number[];
  target: number[];
  mask: number[];
  /** n: bits per operand / number of values (k, the second operand, for multiplication). */
  length: number;
  /** T(n): loops this sample is scored at (m*k for multiplication). */
  steps: number;
}

/** Row-major [batch, seqLen] typed arrays (no tfjs). */
export interface Batch {
  input: Int32Array;
  target: Int32Array;
  mask: Float32Array;
  lengths: Int32Array;
  steps: Int32Array;
  shape: [number, number];
}

/**
 * 'train': the training distribution (multiplication: m uniform in {1, 2});
 * 'test': the evaluation distribution (multiplication: m = 2). Other tasks ignore it.
 */
export type SampleMode = 'train' | 'test';

export interface SampleOptions {
  mode?: SampleMode;
  /**
   * The "maxLen" the padded length is computed from (see `paddedLength`). Default n + 2 (the
   * reference's single-length test padding).
   */
  maxLen?: number;
}

interface BatchCommon {
  size: number;
  rng: Rng;
  /** Default 'train' for a length range, 'test' for a single `length`. */
  mode?: SampleMode;
  /** Override of maxLen (default maxLength + 1 for a range, length + 2 for a single length). */
  maxLen?: number;
}

/** Lengths uniform in [minLength, maxLength] (training), or one fixed `length` (testing). */
export type BatchOptions =
  | (BatchCommon & { minLength?: number; maxLength: number; length?: undefined })
  | (BatchCommon & { length: number; minLength?: undefined; maxLength?: undefined });

/** Reference training/evaluation settings (GPU scale) from `reference/algorithmic-tasks.md`. */
export interface ReferenceSettings {
  curriculumStart: number;
  curriculumEnd: number;
  curriculumInterval: number;
  maxTrainLength: number;
  /** Test length n (k for multiplication, with m = 2). */
  testLength: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** 'onehot': linear map from a one-hot of width vocabSize; 'embedding': lookup table. */
  readIn: 'onehot' | 'embedding';
}

export interface AlgorithmicTask {
  readonly name: TaskName;
  /** Width of the token alphabet (6 for the binary tasks, 60 for unique-set). */
  readonly vocabSize: number;
  /** Pad token = EOS token. */
  readonly padId: number;
  /** The "=" token. */
  readonly eqId: number;
  /** Largest supported n (documented per task). */
  readonly maxLength: number;
  /** Number of operands in the question (2 for addition and multiplication). */
  readonly arity: number;
  readonly reference: ReferenceSettings;
  /** T(n) at test time (multiplication: m*k with m = 2, or the given m). */
  steps(n: number, m?: number): number;
  /** T_max for adaptive stopping: n+20 (unique-set n+30, multiplication m*k+30 with m = 2). */
  maxTestSteps(n: number): number;
  /** Sequence length of a batch padded for `maxLen` (training maxLen = maxLength+1, test n+2). */
  paddedLength(maxLen: number): number;
  sample(n: number, rng: Rng, options?: SampleOptions): Example;
  /** Deterministic example from given operands (bits MSB first; unique-set values 0..49). */
  fromOperands(operands: readonly (readonly number[])[], options?: { maxLen?: number }): Example;
  batch(options: BatchOptions): Batch;
  /** Human-readable rendering, pads dropped, a space after "=": e.g. `1011= 1`. */
  decode(tokens: ArrayLike<number>): string;
  /** Question and answer of an example: `decode(question = answer)`. */
  decodeExample(example: Pick<Example, 'input' | 'target' | 'mask'>): string;
  /** Symbol of each token id (pad shown as '_'), used by `taskTokenizer`. */
  readonly symbols: readonly string[];
}
