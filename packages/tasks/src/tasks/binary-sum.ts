/**
 * binary-sum: n bits, '=' (5), then the number of 1-bits in binary, LSB first, without leading
 * zeros; an all-zero input has an EMPTY answer (only pads). Pads 3. Padded length maxLen + 7;
 * T(n) = n. Maximum n is 255 so that the count (<= 8 bits) always fits the reference padding.
 */
import { defineTask } from './define';
import { BINARY_VOCAB, EQ5, PAD, binarySymbols } from './binary-vocab';
import { REFERENCE_EMBD, drawBits, operandLength } from './spec';

/** Largest n: the popcount then has at most 8 bits, which the +7 padding always holds. */
export const MAX_BINARY_SUM_LENGTH = 255;

export const binarySumTask = defineTask({
  name: 'binary-sum',
  vocabSize: BINARY_VOCAB,
  padId: PAD,
  eqId: EQ5,
  maxLength: MAX_BINARY_SUM_LENGTH,
  arity: 1,
  operandMax: 1,
  symbols: binarySymbols(''),
  separator: '',
  reference: {
    curriculumStart: 2,
    curriculumEnd: 20,
    curriculumInterval: 500,
    maxTrainLength: 19,
    testLength: 24,
    nLayer: 2,
    nHead: 16,
    nEmbd: REFERENCE_EMBD,
    readIn: 'onehot',
  },
  paddedLength: (maxLen) => maxLen + 7,
  lengthOf: (ops) => operandLength(ops, 0, MAX_BINARY_SUM_LENGTH),
  draw: (n, rng) => [drawBits(n, rng)],
  layout: (ops, buf) => {
    const bits = ops[0];
    const n = bits.length;
    let count = 0;
    for (let i = 0; i < n; i++) {
      buf[i] = bits[i];
      count += bits[i];
    }
    buf[n] = EQ5;
    let end = n + 1;
    for (; count > 0; count >>= 1) buf[end++] = count & 1;
    return { eq: n, end };
  },
  layoutBound: (n) => n + 1 + 32,
  stepsOf: (ops) => ops[0].length,
  steps: (n) => n,
  maxTestSteps: (n) => n + 20,
});
