/**
 * The synthetic Markov language of the SHIFT paper (Section 4.1, Appendix E.1.1 and E.1.3).
 *
 * - Vocabulary of V symbols (default 3), base length L (default 4).
 * - p(x) = pi(x_1) * prod_{t=1}^{L'-1} P_{((t-1) mod K)}[x_t][x_{t+1}] with a uniform initial
 *   distribution pi and K = L - 1 random transition matrices (one per step of a base-length
 *   sequence), applied cyclically for longer sequences.
 * - Information content IC(x) = -ln p(x) (nats).
 * - Training set: every sequence of length L once, then topped up to `size` by i.i.d. draws with
 *   probability q(x) = p(x)^alpha / Z ("weighted oversampling"); shuffled.
 * - Prediction task: the last token from the first L'-1.
 * - Simple/complex: the lowest 40% / highest 40% by IC, of the distinct sequences by default (with a
 *   long-tailed q one sequence can hold more than 20% of the examples, so an example-count split
 *   would put copies of the same sequence in both groups); `by: 'examples'` splits example counts.
 * - Length-generalization test sets: for each length, `size` i.i.d. draws from q (same alpha, same
 *   cyclic transitions); "simple" = IC <= threshold = max IC of the training set.
 *
 * Rows of each transition matrix are drawn from a symmetric Dirichlet(concentration) distribution
 * (default 10; 1 would be uniform on the simplex) with an Rng forked from `seed`, so the language is a
 * function of (vocabSize, length, seed, concentration) only.
 */
import { checkInt } from './validation';
import { DEFAULT_MARKOV_SIZE } from './markov/defaults';
import {
  bayesOptimal,
  bayesOptimalAccuracy,
  expectedBayesAccuracy,
  trainingRuleAccuracy,
} from './markov/bayes';
import { enumerateSequences } from './markov/enumeration';
import { lengthGeneralizationSets, simpleFraction } from './markov/length-generalization';
import { drawDataset } from './markov/sampling';
import { splitByIc } from './markov/split';
import { checkSequence, createMarkovState, icOf, matrixIndex } from './markov/state';
import type { MarkovLanguage, MarkovOptions } from './markov/types';

export {
  DEFAULT_MARKOV_ALPHA,
  DEFAULT_MARKOV_CONCENTRATION,
  DEFAULT_MARKOV_SIZE,
  MAX_MARKOV_DATASET,
  MAX_MARKOV_ENUMERATION,
  PAPER_MARKOV_LANGUAGE_SEEDS,
} from './markov/defaults';
export type {
  BayesPrediction,
  LengthGeneralizationSet,
  MarkovDataset,
  MarkovLanguage,
  MarkovOptions,
  MarkovSequence,
  MarkovSplit,
} from './markov/types';

/**
 * The language of `options`: its state record is built once (options checked, matrices drawn);
 * every method is a step over that record, with the language's length and alpha as defaults.
 */
export function markovLanguage(options: MarkovOptions = {}): MarkovLanguage {
  const m = createMarkovState(options);
  const { vocabSize, length, alpha, transitions } = m;
  return {
    vocabSize,
    length,
    seed: m.seed,
    alpha,
    concentration: m.concentration,
    initial: new Array<number>(vocabSize).fill(1 / vocabSize),
    transitions,
    transitionAt(t) {
      checkInt('t', t, 0);
      return transitions[matrixIndex(m, t)];
    },
    probability: (seq) => Math.exp(-icOf(m, checkSequence(m, 'seq', seq))),
    informationContent: (seq) => icOf(m, checkSequence(m, 'seq', seq)),
    enumerate: (len = length) => enumerateSequences(m, len),
    dataset: ({
      size = DEFAULT_MARKOV_SIZE,
      length: len = length,
      rng,
      includeAll = true,
      alpha: a = alpha,
    }) => drawDataset(m, { size, len, rng, includeAll, a }),
    split: (examples, opts = {}) => splitByIc(examples, opts),
    bayesOptimal: (prefix) => bayesOptimal(m, prefix),
    bayesOptimalAccuracy: (sequences) => bayesOptimalAccuracy(m, sequences),
    expectedBayesAccuracy: ({ length: len = length, alpha: a = alpha } = {}) =>
      expectedBayesAccuracy(m, len, a),
    trainingRuleAccuracy: (sequences) => trainingRuleAccuracy(m, sequences),
    simpleFraction: ({ length: len, alpha: a = alpha, threshold }) => simpleFraction(m, len, a, threshold),
    lengthGeneralizationSets: ({ lengths = [4, 5, 6, 7, 8], ...rest }) =>
      lengthGeneralizationSets(m, { lengths, ...rest }),
  };
}
