/** Datasets drawn from q ~ p^alpha: every sequence once (includeAll), topped up by i.i.d. draws, shuffled. */
import { shuffleInPlace, type Rng } from '../rng';
import { TaskArgumentError, checkInt, checkNumber } from '../validation';
import { MAX_MARKOV_DATASET } from './defaults';
import { distributionOf } from './enumeration';
import type { Distribution, MarkovState } from './state';
import type { MarkovDataset } from './types';

export interface DrawOptions {
  size: number;
  len: number;
  rng: Rng;
  includeAll: boolean;
  a: number;
}

function checkDrawOptions({ size, len, rng, a }: DrawOptions): void {
  checkInt('size', size, 1, MAX_MARKOV_DATASET);
  checkInt('length', len, 2, 1024);
  checkNumber('alpha', a, 0);
  if (!rng || typeof rng.next !== 'function') {
    throw new TaskArgumentError('rng', 'rng must be an Rng from createRng(seed)');
  }
}

/** Inverse-CDF draw by binary search over the cumulative weights. */
function drawIndex(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Sequence indices: every one once when includeAll, then draws from q up to `size` (one rng.next() each). */
function pickIndices(dist: Distribution, { size, rng, includeAll }: DrawOptions): number[] {
  const count = dist.ic.length;
  if (includeAll && size < count) {
    throw new TaskArgumentError(
      'size',
      `size must be >= ${count} (every one of the ${count} sequences once) when includeAll is true; got ${size}`,
    );
  }
  const picks: number[] = [];
  if (includeAll) for (let s = 0; s < count; s++) picks.push(s);
  while (picks.length < size) picks.push(drawIndex(dist.cum, rng.next()));
  return picks;
}

/** The dataset of the picked sequences, in pick order. */
function datasetOf(
  dist: Distribution,
  picks: readonly number[],
  { size, len, a }: DrawOptions,
): MarkovDataset {
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

/** `size` sequences of length `len` drawn from q ~ p^a (every sequence once first when includeAll), shuffled. */
export function drawDataset(m: MarkovState, options: DrawOptions): MarkovDataset {
  checkDrawOptions(options);
  const dist = distributionOf(m, options.len, options.a);
  const picks = pickIndices(dist, options);
  shuffleInPlace(picks, options.rng);
  return datasetOf(dist, picks, options);
}
