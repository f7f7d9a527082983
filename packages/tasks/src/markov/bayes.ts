/** Last-token predictors: the Bayes-optimal one (cyclic matrices) and the rule learnable from training data. */
import { TaskArgumentError, checkInt, checkNumber } from '../validation';
import { distributionOf } from './enumeration';
import { checkSequence, matrixIndex, type MarkovState } from './state';
import type { BayesPrediction, MarkovDataset } from './types';

type Sequences = readonly ArrayLike<number>[] | Pick<MarkovDataset, 'sequences'>;

function sequenceList(sequences: Sequences): readonly ArrayLike<number>[] {
  const list: readonly ArrayLike<number>[] = 'sequences' in sequences ? sequences.sequences : sequences;
  if (list.length === 0) throw new TaskArgumentError('sequences', 'sequences must not be empty');
  return list;
}

export function bayesOptimal(m: MarkovState, prefix: ArrayLike<number>): BayesPrediction {
  const p = checkSequence(m, 'prefix', prefix, 1);
  const t = p.length - 1;
  const k = matrixIndex(m, t);
  const last = p[t];
  const row = m.transitions[k][last];
  const token = m.argmaxRows[k][last];
  return { token, probability: row[token], distribution: [...row] };
}

export function bayesOptimalAccuracy(m: MarkovState, sequences: Sequences): number {
  const list = sequenceList(sequences);
  let hits = 0;
  list.forEach((s, i) => {
    const seq = checkSequence(m, `sequences[${i}]`, s, 2);
    const t = seq.length - 2;
    if (m.argmaxRows[matrixIndex(m, t)][seq[t]] === seq[t + 1]) hits++;
  });
  return hits / list.length;
}

/** Sum of q over the sequences whose last token is the Bayes prediction (in enumeration order). */
export function expectedBayesAccuracy(m: MarkovState, len: number, a: number): number {
  checkInt('length', len, 2, 1024);
  checkNumber('alpha', a, 0);
  const { tokens, q } = distributionOf(m, len, a);
  const k = matrixIndex(m, len - 2);
  let acc = 0;
  for (let s = 0; s < q.length; s++) {
    const prev = tokens[s * len + len - 2];
    if (m.argmaxRows[k][prev] === tokens[s * len + len - 1]) acc += q[s];
  }
  return acc;
}

export function trainingRuleAccuracy(m: MarkovState, sequences: Sequences): number {
  const list = sequenceList(sequences);
  const rule = m.argmaxRows[matrixIndex(m, m.length - 2)];
  let hits = 0;
  list.forEach((s, i) => {
    const seq = checkSequence(m, `sequences[${i}]`, s, 2);
    if (rule[seq[seq.length - 2]] === seq[seq.length - 1]) hits++;
  });
  return hits / list.length;
}
