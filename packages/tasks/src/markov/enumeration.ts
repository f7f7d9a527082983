/** Every sequence of one length, with its IC, and the oversampling distribution q ~ p^alpha over them. */
import { TaskArgumentError, checkInt } from '../validation';
import { MAX_MARKOV_ENUMERATION } from './defaults';
import { icOf, type Distribution, type MarkovState } from './state';
import type { MarkovSequence } from './types';

/** Throws unless V^len sequences fit MAX_MARKOV_ENUMERATION; returns V^len. */
export function checkEnumerable(m: MarkovState, name: string, len: number): number {
  checkInt(name, len, 1, 1024);
  const count = Math.pow(m.vocabSize, len);
  if (count > MAX_MARKOV_ENUMERATION) {
    const maxLen = Math.floor(Math.log(MAX_MARKOV_ENUMERATION) / Math.log(m.vocabSize) + 1e-9);
    throw new TaskArgumentError(
      name,
      `${name} = ${len} with vocabSize ${m.vocabSize} gives ${count} sequences, more than the limit ` +
        `${MAX_MARKOV_ENUMERATION}; use ${name} <= ${maxLen}`,
    );
  }
  return count;
}

/** Lexicographic enumeration (first token most significant) with ICs. */
export function enumerateRaw(
  m: MarkovState,
  len: number,
): { tokens: Int32Array; ic: Float64Array; count: number } {
  const count = checkEnumerable(m, 'length', len);
  const tokens = new Int32Array(count * len);
  const ic = new Float64Array(count);
  const digits = new Array<number>(len).fill(0);
  for (let s = 0; s < count; s++) {
    for (let t = 0; t < len; t++) tokens[s * len + t] = digits[t];
    ic[s] = icOf(m, digits);
    for (let t = len - 1; t >= 0; t--) {
      digits[t] = digits[t] + 1;
      if (digits[t] < m.vocabSize) break;
      digits[t] = 0;
    }
  }
  return { tokens, ic, count };
}

/** All sequences of length `len` in lexicographic order with p and IC. */
export function enumerateSequences(m: MarkovState, len: number): MarkovSequence[] {
  const { tokens, ic, count } = enumerateRaw(m, len);
  const out: MarkovSequence[] = new Array<MarkovSequence>(count);
  for (let s = 0; s < count; s++) {
    out[s] = {
      sequence: Array.from(tokens.subarray(s * len, (s + 1) * len)),
      probability: Math.exp(-ic[s]),
      ic: ic[s],
    };
  }
  return out;
}

/** Cumulative weights of q ~ p^alpha = exp(-alpha * IC), normalised to end at 1 (cached per length and alpha). */
export function distributionOf(m: MarkovState, len: number, a: number): Distribution {
  const key = `${len}:${a}`;
  const hit = m.cache.get(key);
  if (hit) return hit;
  const { tokens, ic, count } = enumerateRaw(m, len);
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
  m.cache.set(key, entry);
  return entry;
}

/** The largest IC of any base-length sequence (of a training set holding them all). */
export function maxBaseIc(m: MarkovState): number {
  return Math.max(...Array.from(enumerateRaw(m, m.length).ic));
}
