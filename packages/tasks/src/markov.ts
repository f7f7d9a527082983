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
import { createRng, shuffleInPlace, type Rng } from './rng';
import { TaskArgumentError, checkInt, checkNumber, checkTokens } from './validation';

/**
 * Default oversampling exponent. The paper's value was lost in extraction; it was calibrated here
 * together with `DEFAULT_MARKOV_CONCENTRATION` against the only quantitative anchor, the
 * "# Simple Sequences" column of Table 1 (about 99.5% simple at length 5, 64.5% at 6, 0% at 7-8).
 * alpha = 6 with concentration 10 gives, averaged over seeds 0..19, 97% / 51% / 13% / 0% (see
 * `scripts/markov-calibration.ts` and the README), a Bayes-optimal last-token accuracy of ~0.78
 * under q, and a long-tailed training distribution: a few likely sequences dominate, every
 * sequence is present (includeAll), the rarest ones once.
 */
export const DEFAULT_MARKOV_ALPHA = 6;
/**
 * Language seeds of the default family (Dirichlet(10) rows, alpha 6) whose "% simple" column
 * matches the paper's Table 1 (100 / 99.5 / 64.5 / 0 / 0 at lengths 4-8, exactly by enumeration)
 * with an expected Bayes accuracy of 0.75-0.77, closest first: the `paper` language is the first.
 * Seed 0, the earlier default, is an easy outlier (100 / 100 / 99.7 / 85.5 / 0, Bayes 0.87).
 */
export const PAPER_MARKOV_LANGUAGE_SEEDS = [12, 966, 491, 263] as const;
/** Default training-set size (every length-4 sequence once plus oversampled draws). */
export const DEFAULT_MARKOV_SIZE = 10_000;
/**
 * Default Dirichlet concentration of the transition-matrix rows: 10 gives fairly flat rows, so that
 * IC grows steadily with length as in the paper's Figure 7 (see DEFAULT_MARKOV_ALPHA).
 */
export const DEFAULT_MARKOV_CONCENTRATION = 10;
/** Largest number of sequences `enumerate` (and the samplers, which enumerate) will produce. */
export const MAX_MARKOV_ENUMERATION = 1 << 20;
/** Largest dataset size. */
export const MAX_MARKOV_DATASET = 10_000_000;

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

/** Standard normal by Box-Muller (one value per call; simplicity over speed). */
function normal(rng: Rng): number {
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Gamma(shape, 1) by Marsaglia-Tsang (shape >= 1), boosted with U^(1/shape) for shape < 1. */
function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function dirichletRow(size: number, concentration: number, rng: Rng): number[] {
  const g = Array.from({ length: size }, () => gamma(concentration, rng));
  const total = g.reduce((a, b) => a + b, 0);
  return g.map((x) => x / total);
}

function argmax(row: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

/** A distribution over all sequences of one length: tokens and ICs (lexicographic), q ~ p^alpha and its CDF. */
interface Distribution {
  tokens: Int32Array;
  ic: Float64Array;
  cum: Float64Array;
  q: Float64Array;
}

/** The fixed parts of a language (its chain) and the cache of its enumerated distributions. */
interface Chain {
  vocabSize: number;
  numTransitions: number;
  transitions: number[][][];
  logTransitions: number[][][];
  logInitial: number;
  argmaxRows: number[][];
  cache: Map<string, Distribution>;
}

const matrixIndex = (c: Chain, t: number): number => t % c.numTransitions;

function icOf(c: Chain, seq: readonly number[]): number {
  let ic = -c.logInitial;
  for (let t = 0; t + 1 < seq.length; t++) ic -= c.logTransitions[matrixIndex(c, t)][seq[t]][seq[t + 1]];
  return ic;
}

function checkEnumerable(c: Chain, name: string, len: number): number {
  checkInt(name, len, 1, 1024);
  const count = Math.pow(c.vocabSize, len);
  if (count > MAX_MARKOV_ENUMERATION) {
    const maxLen = Math.floor(Math.log(MAX_MARKOV_ENUMERATION) / Math.log(c.vocabSize) + 1e-9);
    throw new TaskArgumentError(
      name,
      `${name} = ${len} with vocabSize ${c.vocabSize} gives ${count} sequences, more than the limit ` +
        `${MAX_MARKOV_ENUMERATION}; use ${name} <= ${maxLen}`,
    );
  }
  return count;
}

/** Lexicographic enumeration (first token most significant) with ICs. */
function enumerateRaw(c: Chain, len: number): { tokens: Int32Array; ic: Float64Array; count: number } {
  const count = checkEnumerable(c, 'length', len);
  const tokens = new Int32Array(count * len);
  const ic = new Float64Array(count);
  const digits = new Array<number>(len).fill(0);
  for (let s = 0; s < count; s++) {
    for (let t = 0; t < len; t++) tokens[s * len + t] = digits[t];
    ic[s] = icOf(c, digits);
    for (let t = len - 1; t >= 0; t--) {
      digits[t] = digits[t] + 1;
      if (digits[t] < c.vocabSize) break;
      digits[t] = 0;
    }
  }
  return { tokens, ic, count };
}

/** Cumulative weights of q ~ p^alpha = exp(-alpha * IC), normalised to end at 1 (cached per length and alpha). */
function distributionOf(c: Chain, len: number, a: number): Distribution {
  const key = `${len}:${a}`;
  const hit = c.cache.get(key);
  if (hit) return hit;
  const { tokens, ic, count } = enumerateRaw(c, len);
  let minIc = Infinity;
  for (let s = 0; s < count; s++) minIc = Math.min(minIc, ic[s]);
  const q = new Float64Array(count);
  let z = 0;
  for (let s = 0; s < count; s++) {
    q[s] = Math.exp(-a * (ic[s] - minIc));
    z += q[s];
  }
  const cum = new Float64Array(count);
  let acc = 0;
  for (let s = 0; s < count; s++) {
    q[s] = q[s] / z;
    acc += q[s];
    cum[s] = acc;
  }
  cum[count - 1] = 1;
  const entry = { tokens, ic, cum, q };
  c.cache.set(key, entry);
  return entry;
}

/** `size` sequences of length `len` drawn from q ~ p^a (every sequence once first when includeAll), shuffled. */
function drawDataset(
  c: Chain,
  { size, len, rng, includeAll, a }: { size: number; len: number; rng: Rng; includeAll: boolean; a: number },
): MarkovDataset {
  checkInt('size', size, 1, MAX_MARKOV_DATASET);
  checkInt('length', len, 2, 1024);
  checkNumber('alpha', a, 0);
  if (!rng || typeof rng.next !== 'function') {
    throw new TaskArgumentError('rng', 'rng must be an Rng from createRng(seed)');
  }
  const dist = distributionOf(c, len, a);
  const count = dist.ic.length;
  if (includeAll && size < count) {
    throw new TaskArgumentError(
      'size',
      `size must be >= ${count} (every one of the ${count} sequences once) when includeAll is true; got ${size}`,
    );
  }
  const picks: number[] = [];
  if (includeAll) for (let s = 0; s < count; s++) picks.push(s);
  while (picks.length < size) {
    // Inverse-CDF draw by binary search over the cumulative weights.
    const u = rng.next();
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (dist.cum[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    picks.push(lo);
  }
  shuffleInPlace(picks, rng);
  const tokens = new Int32Array(size * len);
  const input = new Int32Array(size * (len - 1));
  const target = new Int32Array(size);
  const sequences: number[][] = new Array<number[]>(size);
  const ic: number[] = new Array<number>(size);
  const probability: number[] = new Array<number>(size);
  picks.forEach((s, i) => {
    const seq = Array.from(dist.tokens.subarray(s * len, (s + 1) * len));
    sequences[i] = seq;
    ic[i] = dist.ic[s];
    probability[i] = Math.exp(-dist.ic[s]);
    tokens.set(seq, i * len);
    input.set(seq.slice(0, len - 1), i * (len - 1));
    target[i] = seq[len - 1];
  });
  return { length: len, size, alpha: a, sequences, probability, ic, tokens, input, target };
}

/** The simple / complex / middle split by IC (see `MarkovLanguage.split`). */
function splitByIc(
  examples: Parameters<MarkovLanguage['split']>[0],
  options: NonNullable<Parameters<MarkovLanguage['split']>[1]>,
): MarkovSplit {
  const simpleFrac = checkNumber('simple', options.simple ?? 0.4, 0, 1);
  const complexFrac = checkNumber('complex', options.complex ?? 0.4, 0, 1);
  if (simpleFrac + complexFrac > 1) {
    throw new TaskArgumentError('simple', `simple + complex must be <= 1; got ${simpleFrac + complexFrac}`);
  }
  const by = options.by ?? 'sequences';
  if (by !== 'sequences' && by !== 'examples') {
    throw new TaskArgumentError('by', `by must be 'sequences' or 'examples'; got ${String(by)}`);
  }
  const isArrayLike = !('ic' in examples);
  const ics: ArrayLike<number> = isArrayLike ? examples : examples.ic;
  const seqs =
    !isArrayLike && 'sequences' in examples
      ? (examples as Pick<MarkovDataset, 'sequences'>).sequences
      : undefined;
  const n = ics.length;
  if (n < 1) throw new TaskArgumentError('examples', 'examples must hold at least one IC value');
  // Units to rank: every example, or every distinct sequence (identified by its tokens, else its IC).
  const unitOf = new Array<number>(n);
  const unitIc: number[] = [];
  if (by === 'examples') {
    for (let i = 0; i < n; i++) {
      unitOf[i] = i;
      unitIc.push(ics[i] as number);
    }
  } else {
    const ids = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = seqs ? (seqs[i] as number[]).join(',') : String(ics[i]);
      let id = ids.get(key);
      if (id === undefined) {
        id = unitIc.length;
        ids.set(key, id);
        unitIc.push(ics[i] as number);
      }
      unitOf[i] = id;
    }
  }
  const u = unitIc.length;
  const order = Array.from({ length: u }, (_, i) => i).sort(
    (i, j) => (unitIc[i] as number) - (unitIc[j] as number) || i - j,
  );
  const nSimple = Math.floor(simpleFrac * u);
  const nComplex = Math.floor(complexFrac * u);
  const group = new Int8Array(u); // 0 middle, 1 simple, 2 complex
  order.forEach((unit, rank) => {
    group[unit] = rank < nSimple ? 1 : rank >= u - nComplex ? 2 : 0;
  });
  const simple: number[] = [];
  const complex: number[] = [];
  const middle: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = group[unitOf[i] as number];
    (g === 1 ? simple : g === 2 ? complex : middle).push(i);
  }
  return {
    by,
    simple,
    complex,
    middle,
    units: { simple: nSimple, complex: nComplex, middle: u - nSimple - nComplex },
    simpleMaxIC: nSimple > 0 ? (unitIc[order[nSimple - 1] as number] as number) : -Infinity,
    complexMinIC: nComplex > 0 ? (unitIc[order[u - nComplex] as number] as number) : Infinity,
  };
}

export function markovLanguage(options: MarkovOptions = {}): MarkovLanguage {
  const vocabSize = checkInt('vocabSize', options.vocabSize ?? 3, 2, 64);
  const length = checkInt('length', options.length ?? 4, 2, 64);
  const seed = checkInt('seed', options.seed ?? 0, Number.MIN_SAFE_INTEGER);
  const alpha = checkNumber('alpha', options.alpha ?? DEFAULT_MARKOV_ALPHA, 0);
  const concentration = checkNumber(
    'concentration',
    options.concentration ?? DEFAULT_MARKOV_CONCENTRATION,
    1e-3,
    1e6,
  );
  const numTransitions = checkInt('numTransitions', options.numTransitions ?? length - 1, 1, 1024);

  const matrixRng = createRng(seed).fork('markov-transitions');
  const transitions = Array.from({ length: numTransitions }, () =>
    Array.from({ length: vocabSize }, () => dirichletRow(vocabSize, concentration, matrixRng)),
  );
  const c: Chain = {
    vocabSize,
    numTransitions,
    transitions,
    logTransitions: transitions.map((m) => m.map((row) => row.map(Math.log))),
    logInitial: Math.log(1 / vocabSize),
    argmaxRows: transitions.map((m) => m.map(argmax)),
    cache: new Map(),
  };
  const { argmaxRows } = c;
  const checkSeq = (name: string, seq: ArrayLike<number>, minLen = 1): readonly number[] =>
    checkTokens(name, seq, 0, vocabSize - 1, minLen);
  /** The largest IC of any base-length sequence (of a training set holding them all). */
  const maxBaseIc = (): number => Math.max(...Array.from(enumerateRaw(c, length).ic));
  const listOf = (sequences: readonly ArrayLike<number>[] | Pick<MarkovDataset, 'sequences'>) => {
    const list: readonly ArrayLike<number>[] = 'sequences' in sequences ? sequences.sequences : sequences;
    if (list.length === 0) throw new TaskArgumentError('sequences', 'sequences must not be empty');
    return list;
  };

  const lang: MarkovLanguage = {
    vocabSize,
    length,
    seed,
    alpha,
    concentration,
    initial: new Array<number>(vocabSize).fill(1 / vocabSize),
    transitions,

    transitionAt(t: number): number[][] {
      checkInt('t', t, 0);
      return transitions[matrixIndex(c, t)];
    },

    probability(seq: ArrayLike<number>): number {
      return Math.exp(-icOf(c, checkSeq('seq', seq)));
    },

    informationContent(seq: ArrayLike<number>): number {
      return icOf(c, checkSeq('seq', seq));
    },

    enumerate(len: number = length): MarkovSequence[] {
      const { tokens, ic, count } = enumerateRaw(c, len);
      const out: MarkovSequence[] = new Array<MarkovSequence>(count);
      for (let s = 0; s < count; s++) {
        out[s] = {
          sequence: Array.from(tokens.subarray(s * len, (s + 1) * len)),
          probability: Math.exp(-ic[s]),
          ic: ic[s],
        };
      }
      return out;
    },

    dataset({ size = DEFAULT_MARKOV_SIZE, length: len = length, rng, includeAll = true, alpha: a = alpha }) {
      return drawDataset(c, { size, len, rng, includeAll, a });
    },

    split(examples, opts = {}) {
      return splitByIc(examples, opts);
    },

    bayesOptimal(prefix: ArrayLike<number>): BayesPrediction {
      const p = checkSeq('prefix', prefix, 1);
      const t = p.length - 1;
      const k = matrixIndex(c, t);
      const last = p[t];
      const row = transitions[k][last];
      const token = argmaxRows[k][last];
      return { token, probability: row[token], distribution: [...row] };
    },

    bayesOptimalAccuracy(sequences) {
      const list = listOf(sequences);
      let hits = 0;
      list.forEach((s, i) => {
        const seq = checkSeq(`sequences[${i}]`, s, 2);
        const t = seq.length - 2;
        if (argmaxRows[matrixIndex(c, t)][seq[t]] === seq[t + 1]) hits++;
      });
      return hits / list.length;
    },

    expectedBayesAccuracy({ length: len = length, alpha: a = alpha } = {}) {
      checkInt('length', len, 2, 1024);
      checkNumber('alpha', a, 0);
      const { tokens, q } = distributionOf(c, len, a);
      const k = matrixIndex(c, len - 2);
      let acc = 0;
      for (let s = 0; s < q.length; s++) {
        const prev = tokens[s * len + len - 2];
        if (argmaxRows[k][prev] === tokens[s * len + len - 1]) acc += q[s];
      }
      return acc;
    },

    trainingRuleAccuracy(sequences) {
      const list = listOf(sequences);
      const rule = argmaxRows[matrixIndex(c, length - 2)];
      let hits = 0;
      list.forEach((s, i) => {
        const seq = checkSeq(`sequences[${i}]`, s, 2);
        if (rule[seq[seq.length - 2]] === seq[seq.length - 1]) hits++;
      });
      return hits / list.length;
    },

    simpleFraction({ length: len, alpha: a = alpha, threshold }) {
      checkInt('length', len, 2, 1024);
      checkNumber('alpha', a, 0);
      const thr = threshold === undefined ? maxBaseIc() : checkNumber('threshold', threshold);
      const { ic, q } = distributionOf(c, len, a);
      let share = 0;
      for (let s = 0; s < q.length; s++) if (ic[s] <= thr) share += q[s];
      return Math.min(1, share);
    },

    lengthGeneralizationSets({ lengths = [4, 5, 6, 7, 8], size, rng, threshold, train }) {
      checkInt('size', size, 1, MAX_MARKOV_DATASET);
      if (lengths === null || typeof lengths !== 'object' || lengths.length === 0) {
        throw new TaskArgumentError('lengths', 'lengths must be a non-empty array of integers >= 2');
      }
      lengths.forEach((l, i) => checkEnumerable(c, `lengths[${i}]`, checkInt(`lengths[${i}]`, l, 2, 1024)));
      let thr: number;
      if (threshold !== undefined) thr = checkNumber('threshold', threshold);
      else if (train !== undefined) {
        if (train.ic.length === 0) throw new TaskArgumentError('train', 'train.ic must not be empty');
        thr = Math.max(...train.ic);
      } else thr = maxBaseIc();
      return lengths.map((len) => {
        const dataset = lang.dataset({
          size,
          length: len,
          rng: rng.fork(`length-${len}`),
          includeAll: false,
        });
        const simpleCount = dataset.ic.filter((v) => v <= thr).length;
        return { length: len, dataset, threshold: thr, simpleCount, simpleFraction: simpleCount / size };
      });
    },
  };
  return lang;
}
