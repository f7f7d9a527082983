/** Public shapes of the Markov language: its options, datasets, splits and predictions. */
import type { Rng } from '../rng';

export interface MarkovOptions {
  vocabSize?: number;
  length?: number;
  seed?: number;
  alpha?: number;
  /** Dirichlet concentration of each transition row (default 1). */
  concentration?: number;
  /** Number of transition matrices applied cyclically (default length - 1). */
  numTransitions?: number;
}

export interface MarkovSequence {
  sequence: number[];
  probability: number;
  ic: number;
}

export interface MarkovDataset {
  length: number;
  size: number;
  alpha: number;
  sequences: number[][];
  probability: number[];
  ic: number[];
  /** [size, length] row-major tokens. */
  tokens: Int32Array;
  /** [size, length - 1]: the prediction task's input (all but the last token). */
  input: Int32Array;
  /** [size]: the prediction task's target (the last token). */
  target: Int32Array;
}

export interface MarkovSplit {
  by: 'sequences' | 'examples';
  /** Indices of the examples in the lowest-IC group. */
  simple: number[];
  /** Indices of the examples in the highest-IC group. */
  complex: number[];
  /** The remaining example indices. */
  middle: number[];
  /** Number of ranked units (distinct sequences, or examples) in each group. */
  units: { simple: number; complex: number; middle: number };
  simpleMaxIC: number;
  complexMinIC: number;
}

export interface LengthGeneralizationSet {
  length: number;
  dataset: MarkovDataset;
  /** IC threshold (maximum training IC). */
  threshold: number;
  /** Sequences with IC <= threshold. */
  simpleCount: number;
  simpleFraction: number;
}

export interface BayesPrediction {
  /** argmax_x P(x | last token of the prefix) (lowest id on ties). */
  token: number;
  /** Its conditional probability. */
  probability: number;
  /** The full conditional distribution of the next token. */
  distribution: number[];
}

export interface MarkovLanguage {
  readonly vocabSize: number;
  readonly length: number;
  readonly seed: number;
  readonly alpha: number;
  readonly concentration: number;
  readonly initial: number[];
  /** K matrices; transitions[k][i][j] = P(next = j | current = i) at steps t with (t-1) mod K = k. */
  readonly transitions: number[][][];
  /** Matrix used from position t to t+1 (0-based t). */
  transitionAt(t: number): number[][];
  probability(seq: ArrayLike<number>): number;
  informationContent(seq: ArrayLike<number>): number;
  /** All V^length sequences in lexicographic order with p and IC. */
  enumerate(length?: number): MarkovSequence[];
  dataset(options: {
    size?: number;
    length?: number;
    rng: Rng;
    includeAll?: boolean;
    alpha?: number;
  }): MarkovDataset;
  /**
   * Simple/complex split by IC: the lowest `simple` fraction and the highest `complex` fraction
   * (default 0.4 / 0.4) of the distinct sequences (`by: 'sequences'`, default; copies of one
   * sequence always share a group) or of the examples themselves (`by: 'examples'`, exact
   * example counts; ties broken by index). Returns example indices per group.
   */
  split(
    examples: Pick<MarkovDataset, 'ic'> | Pick<MarkovDataset, 'ic' | 'sequences'> | ArrayLike<number>,
    options?: { simple?: number; complex?: number; by?: 'sequences' | 'examples' },
  ): MarkovSplit;
  bayesOptimal(prefix: ArrayLike<number>): BayesPrediction;
  /** Accuracy of the Bayes-optimal last-token predictor on the given sequences. */
  bayesOptimalAccuracy(sequences: readonly ArrayLike<number>[] | Pick<MarkovDataset, 'sequences'>): number;
  /** Exact expected accuracy of the Bayes-optimal last-token predictor under q ~ p^alpha. */
  expectedBayesAccuracy(options?: { length?: number; alpha?: number }): number;
  /**
   * Accuracy of the rule a model can learn from base-length training data, applied at any length:
   * predict argmax_x P_last[prev][x], with P_last the matrix of the training sequences' last step
   * (beyond the base length the cyclic Bayes predictor uses matrices that were never a target).
   */
  trainingRuleAccuracy(sequences: readonly ArrayLike<number>[] | Pick<MarkovDataset, 'sequences'>): number;
  /**
   * Exact share, under q ~ p^alpha at `length`, of the sequences whose IC is at most `threshold`
   * (default: the largest IC of any base-length sequence, i.e. of a training set holding them all):
   * the "% simple" column of the paper's Table 1, by enumeration instead of sampling.
   */
  simpleFraction(options: { length: number; alpha?: number; threshold?: number }): number;
  lengthGeneralizationSets(options: {
    lengths?: readonly number[];
    size: number;
    rng: Rng;
    threshold?: number;
    train?: Pick<MarkovDataset, 'ic'>;
  }): LengthGeneralizationSet[];
}
