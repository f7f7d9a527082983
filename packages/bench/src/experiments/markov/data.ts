import { createRng, markovLanguage, type MarkovDataset, type MarkovLanguage } from '@loop/tasks';

export interface MarkovDataConfig {
  vocabSize: number;
  /** Training sequence length (the paper: 4, predict the 4th token from the first 3). */
  length: number;
  /** Training-set size (every sequence once, then oversampled with q ~ p^alpha). */
  size: number;
  /** Validation-set size (i.i.d. draws from q, for the validation loss / SCP). */
  valSize: number;
  alpha: number;
  concentration: number;
  /** Seeds of the languages (transition matrices) the study runs on. */
  languages: readonly number[];
  /**
   * How the lowest/highest 40% are taken: over training examples (copies counted; the default: it
   * makes the low-IC group perfectly predictable, as the paper's Observation 1 describes) or over
   * distinct sequences.
   */
  splitBy: 'examples' | 'sequences';
}

/** Index sets of the training data and their Bayes-optimal accuracies (computed exactly). */
export interface MarkovData {
  language: MarkovLanguage;
  train: MarkovDataset;
  val: MarkovDataset;
  /** Lowest-IC 40% (simple) and highest-IC 40% (complex) of the training sequences. */
  low: number[];
  high: number[];
  /** Accuracy of the Bayes-optimal predictor (argmax of the true next-token distribution) per group. */
  bayes: { all: number; low: number; high: number; val: number; expected: number };
  /**
   * The most any map prefix -> token can score on each group of the training set (per prefix, the
   * most frequent last token within the group). On a subgroup this can exceed the Bayes predictor's
   * accuracy (e.g. the high-IC group is made of unlikely last tokens), at a cost elsewhere.
   */
  ceiling: { all: number; low: number; high: number };
}

/** Best accuracy of any prefix -> token map on the examples `indices` of `ds` (exact, by counting). */
export function groupCeiling(ds: Pick<MarkovDataset, 'sequences'>, indices: readonly number[]): number {
  if (indices.length === 0) return NaN;
  const counts = new Map<string, Map<number, number>>();
  for (const i of indices) {
    const seq = ds.sequences[i]!;
    const key = seq.slice(0, -1).join(',');
    const last = seq[seq.length - 1]!;
    const m = counts.get(key) ?? new Map<number, number>();
    m.set(last, (m.get(last) ?? 0) + 1);
    counts.set(key, m);
  }
  let best = 0;
  for (const m of counts.values()) best += Math.max(...m.values());
  return best / indices.length;
}

/**
 * The Markov language `languageSeed` and its training/validation data for one seed. The Bayes-optimal accuracy of a
 * group is the share of its sequences whose last token is the most likely next token given the
 * previous one (the process is Markov, so nothing else in the prefix helps): the best any model
 * can do on that group.
 */
export function markovData(cfg: MarkovDataConfig, languageSeed: number, seed: number): MarkovData {
  const language = markovLanguage({
    vocabSize: cfg.vocabSize,
    length: cfg.length,
    seed: languageSeed,
    alpha: cfg.alpha,
    concentration: cfg.concentration,
  });
  const rng = createRng(seed).fork('markov-data');
  const train = language.dataset({ size: cfg.size, rng: rng.fork('train') });
  const val = language.dataset({ size: cfg.valSize, rng: rng.fork('val'), includeAll: false });
  const split = language.split(train, { simple: 0.4, complex: 0.4, by: cfg.splitBy });
  const pick = (idx: number[]) => idx.map((i) => train.sequences[i]!);
  return {
    language,
    train,
    val,
    low: split.simple,
    high: split.complex,
    bayes: {
      all: language.bayesOptimalAccuracy(train),
      low: language.bayesOptimalAccuracy(pick(split.simple)),
      high: language.bayesOptimalAccuracy(pick(split.complex)),
      val: language.bayesOptimalAccuracy(val),
      expected: language.expectedBayesAccuracy(),
    },
    ceiling: {
      all: groupCeiling(
        train,
        train.sequences.map((_, i) => i),
      ),
      low: groupCeiling(train, split.simple),
      high: groupCeiling(train, split.complex),
    },
  };
}
