/** The paper's Table 1: the share of "simple" sequences (IC <= the training maximum) at each test length. */
import type { Rng } from '../rng';
import { TaskArgumentError, checkInt, checkNumber } from '../validation';
import { MAX_MARKOV_DATASET } from './defaults';
import { checkEnumerable, distributionOf, maxBaseIc } from './enumeration';
import { drawDataset } from './sampling';
import type { MarkovState } from './state';
import type { LengthGeneralizationSet, MarkovDataset } from './types';

/** Exact share of q at `len` with IC <= threshold (default: the largest base-length IC). */
export function simpleFraction(
  m: MarkovState,
  len: number,
  a: number,
  threshold: number | undefined,
): number {
  checkInt('length', len, 2, 1024);
  checkNumber('alpha', a, 0);
  const thr = threshold === undefined ? maxBaseIc(m) : checkNumber('threshold', threshold);
  const { ic, q } = distributionOf(m, len, a);
  let share = 0;
  for (let s = 0; s < q.length; s++) if (ic[s] <= thr) share += q[s];
  return Math.min(1, share);
}

/** The threshold given, else the training set's largest IC, else the largest base-length IC. */
function thresholdOf(
  m: MarkovState,
  threshold: number | undefined,
  train: Pick<MarkovDataset, 'ic'> | undefined,
): number {
  if (threshold !== undefined) return checkNumber('threshold', threshold);
  if (train !== undefined) {
    if (train.ic.length === 0) throw new TaskArgumentError('train', 'train.ic must not be empty');
    return Math.max(...train.ic);
  }
  return maxBaseIc(m);
}

/** One test set per length, each drawn from q with the language's alpha on `rng.fork('length-<len>')`. */
export function lengthGeneralizationSets(
  m: MarkovState,
  {
    lengths,
    size,
    rng,
    threshold,
    train,
  }: {
    lengths: readonly number[];
    size: number;
    rng: Rng;
    threshold?: number;
    train?: Pick<MarkovDataset, 'ic'>;
  },
): LengthGeneralizationSet[] {
  checkInt('size', size, 1, MAX_MARKOV_DATASET);
  if (lengths === null || typeof lengths !== 'object' || lengths.length === 0) {
    throw new TaskArgumentError('lengths', 'lengths must be a non-empty array of integers >= 2');
  }
  lengths.forEach((l, i) => checkEnumerable(m, `lengths[${i}]`, checkInt(`lengths[${i}]`, l, 2, 1024)));
  const thr = thresholdOf(m, threshold, train);
  return lengths.map((len) => {
    const dataset = drawDataset(m, {
      size,
      len,
      rng: rng.fork(`length-${len}`),
      includeAll: false,
      a: m.alpha,
    });
    const simpleCount = dataset.ic.filter((v) => v <= thr).length;
    return { length: len, dataset, threshold: thr, simpleCount, simpleFraction: simpleCount / size };
  });
}
