/** parity: n bits, "=" (2), then the XOR of all bits; pads 3. Padded length maxLen; T(n) = n. */
import { defineTask } from './define';
import { BINARY_VOCAB, MAX_BIT_LENGTH, OP, PAD, binarySymbols } from './binary-vocab';
import { REFERENCE_EMBD, drawBits, operandLength } from './spec';

export const parityTask = defineTask({
  name: 'parity',
  vocabSize: BINARY_VOCAB,
  padId: PAD,
  eqId: OP,
  maxLength: MAX_BIT_LENGTH,
  arity: 1,
  operandMax: 1,
  symbols: binarySymbols('='),
  separator: '',
  reference: {
    curriculumStart: 2,
    curriculumEnd: 21,
    curriculumInterval: 500,
    maxTrainLength: 20,
    testLength: 40,
    nLayer: 1,
    nHead: 64,
    nEmbd: REFERENCE_EMBD,
    readIn: 'onehot',
  },
  paddedLength: (maxLen) => maxLen,
  lengthOf: (ops) => operandLength(ops, 0, MAX_BIT_LENGTH),
  draw: (n, rng) => [drawBits(n, rng)],
  layout: (ops, buf) => {
    const bits = ops[0];
    const n = bits.length;
    let x = 0;
    for (let i = 0; i < n; i++) {
      buf[i] = bits[i];
      x ^= bits[i];
    }
    buf[n] = OP;
    buf[n + 1] = x;
    return { eq: n, end: n + 2 };
  },
  layoutBound: (n) => n + 2,
  stepsOf: (ops) => ops[0].length,
  steps: (n) => n,
  maxTestSteps: (n) => n + 20,
});
