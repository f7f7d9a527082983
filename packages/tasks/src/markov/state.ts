/**
 * The plain state record of one Markov language (its parameters, its chain and the cache of
 * enumerated distributions) and the small functions every other step reads it through.
 */
import { createRng } from '../rng';
import { checkInt, checkNumber, checkTokens } from '../validation';
import { DEFAULT_MARKOV_ALPHA, DEFAULT_MARKOV_CONCENTRATION } from './defaults';
import { dirichletRow } from './dirichlet';
import type { MarkovOptions } from './types';

/** A distribution over all sequences of one length: tokens and ICs (lexicographic), q ~ p^alpha and its CDF. */
export interface Distribution {
  tokens: Int32Array;
  ic: Float64Array;
  cum: Float64Array;
  q: Float64Array;
}

export interface MarkovState {
  vocabSize: number;
  /** Base length: the length of the training sequences. */
  length: number;
  seed: number;
  /** Default oversampling exponent. */
  alpha: number;
  concentration: number;
  numTransitions: number;
  transitions: number[][][];
  logTransitions: number[][][];
  logInitial: number;
  /** argmaxRows[k][i]: the most likely successor of i under matrix k (lowest id on ties). */
  argmaxRows: number[][];
  /** Distributions by `${length}:${alpha}`. */
  cache: Map<string, Distribution>;
}

function argmax(row: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

/** Validate the options (in this order) and draw the transition matrices from an Rng forked from the seed. */
export function createMarkovState(options: MarkovOptions): MarkovState {
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
  return {
    vocabSize,
    length,
    seed,
    alpha,
    concentration,
    numTransitions,
    transitions,
    logTransitions: transitions.map((m) => m.map((row) => row.map(Math.log))),
    logInitial: Math.log(1 / vocabSize),
    argmaxRows: transitions.map((m) => m.map(argmax)),
    cache: new Map(),
  };
}

/** Index of the matrix used from position t to t+1 (0-based t): cyclic. */
export const matrixIndex = (m: MarkovState, t: number): number => t % m.numTransitions;

/** IC(x) = -ln p(x), summed in sequence order. */
export function icOf(m: MarkovState, seq: readonly number[]): number {
  let ic = -m.logInitial;
  for (let t = 0; t + 1 < seq.length; t++) ic -= m.logTransitions[matrixIndex(m, t)][seq[t]][seq[t + 1]];
  return ic;
}

/** Throws unless `seq` holds at least `minLen` tokens of the vocabulary. */
export function checkSequence(
  m: MarkovState,
  name: string,
  seq: ArrayLike<number>,
  minLen = 1,
): readonly number[] {
  return checkTokens(name, seq, 0, m.vocabSize - 1, minLen);
}
