/**
 * addition: a (n bits, MSB first), '+' (2), b (n bits), '=' (5), then a+b as exactly n+1 bits MSB
 * first (the leading carry may be 0); pads 3. Leading zeros allowed in a and b.
 * Padded length 3*maxLen; T(n) = n.
 */
import { defineTask } from './define';
import { BINARY_VOCAB, EQ5, MAX_BIT_LENGTH, OP, PAD, binarySymbols, checkSameLength } from './binary-vocab';
import { REFERENCE_EMBD, drawBits, operandLength } from './spec';

export const additionTask = defineTask({
  name: 'addition',
  vocabSize: BINARY_VOCAB,
  padId: PAD,
  eqId: EQ5,
  maxLength: MAX_BIT_LENGTH,
  arity: 2,
  operandMax: 1,
  symbols: binarySymbols('+'),
  separator: '',
  reference: {
    curriculumStart: 2,
    curriculumEnd: 20,
    curriculumInterval: 1600,
    maxTrainLength: 19,
    testLength: 30,
    nLayer: 3,
    nHead: 8,
    nEmbd: REFERENCE_EMBD,
    readIn: 'onehot',
  },
  paddedLength: (maxLen) => 3 * maxLen,
  lengthOf: (ops) => {
    checkSameLength(ops[0], ops[1]);
    return operandLength(ops, 0, MAX_BIT_LENGTH);
  },
  draw: (n, rng) => [drawBits(n, rng), drawBits(n, rng)],
  layout: (ops, buf) => {
    const a = ops[0];
    const b = ops[1];
    const n = a.length;
    for (let i = 0; i < n; i++) {
      buf[i] = a[i];
      buf[n + 1 + i] = b[i];
    }
    buf[n] = OP;
    buf[2 * n + 1] = EQ5;
    // Sum bits MSB first at 2n+2 .. 3n+2: ripple-carry from the least significant bit.
    const base = 2 * n + 2;
    let carry = 0;
    for (let i = n - 1; i >= 0; i--) {
      const s = a[i] + b[i] + carry;
      buf[base + 1 + i] = s & 1;
      carry = s >> 1;
    }
    buf[base] = carry;
    return { eq: 2 * n + 1, end: 3 * n + 3 };
  },
  layoutBound: (n) => 3 * n + 3,
  stepsOf: (ops) => ops[0].length,
  steps: (n) => n,
  maxTestSteps: (n) => n + 20,
});
