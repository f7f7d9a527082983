/**
 * multiplication (extra task): a (m bits), 'x' (2), b (k bits), '=' (5), then the product as exactly
 * m+k bits, LSB first (trailing zeros kept); pads 3. Operands are written MSB first like addition
 * (the reference table fixes only the product's order; this is our documented choice).
 * m is uniform in {1, 2} for training ('train' mode) and 2 for testing; n = k. Padded length
 * 4*maxLen; T = m*k.
 */
import { defineTask } from './define';
import { BINARY_VOCAB, EQ5, MAX_BIT_LENGTH, OP, PAD, binarySymbols } from './binary-vocab';
import { REFERENCE_EMBD, drawBits, operandLength } from './spec';

/** Test-time multiplier width. */
export const MULTIPLICATION_TEST_M = 2;

export const multiplicationTask = defineTask({
  name: 'multiplication',
  vocabSize: BINARY_VOCAB,
  padId: PAD,
  eqId: EQ5,
  maxLength: MAX_BIT_LENGTH,
  arity: 2,
  operandMax: 1,
  symbols: binarySymbols('x'),
  separator: '',
  reference: {
    curriculumStart: 2,
    curriculumEnd: 12,
    curriculumInterval: 500,
    maxTrainLength: 11,
    testLength: 15,
    nLayer: 4,
    nHead: 8,
    nEmbd: REFERENCE_EMBD,
    readIn: 'onehot',
  },
  paddedLength: (maxLen) => 4 * maxLen,
  lengthOf: (ops) => {
    operandLength(ops, 0, 2);
    return operandLength(ops, 1, MAX_BIT_LENGTH);
  },
  draw: (k, rng, mode) => {
    const m = mode === 'train' ? 1 + rng.bit() : MULTIPLICATION_TEST_M;
    return [drawBits(m, rng), drawBits(k, rng)];
  },
  layout: (ops, buf) => {
    const a = ops[0];
    const b = ops[1];
    const m = a.length;
    const k = b.length;
    for (let i = 0; i < m; i++) buf[i] = a[i];
    buf[m] = OP;
    for (let i = 0; i < k; i++) buf[m + 1 + i] = b[i];
    const eq = m + k + 1;
    buf[eq] = EQ5;
    // Shift-and-add on little-endian bit arrays: bit j of b is b[k-1-j] (MSB-first operands).
    const base = eq + 1;
    for (let j = 0; j < m + k; j++) buf[base + j] = 0;
    for (let i = 0; i < m; i++) {
      if (a[m - 1 - i] !== 1) continue;
      let carry = 0;
      for (let j = 0; j < k || carry; j++) {
        const s = buf[base + i + j] + (j < k ? b[k - 1 - j] : 0) + carry;
        buf[base + i + j] = s & 1;
        carry = s >> 1;
      }
    }
    return { eq, end: base + m + k };
  },
  layoutBound: (k) => 2 * (k + 2) + 2,
  stepsOf: (ops) => ops[0].length * ops[1].length,
  steps: (k, m = MULTIPLICATION_TEST_M) => m * k,
  maxTestSteps: (k) => MULTIPLICATION_TEST_M * k + 30,
});
