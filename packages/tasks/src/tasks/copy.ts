/** copy: n bits, "=" (2), then the same n bits; pads 3. Padded length 2*maxLen; T(n) = n. */
import { defineTask } from './define';
import { BINARY_VOCAB, MAX_BIT_LENGTH, OP, PAD, binarySymbols } from './binary-vocab';
import { REFERENCE_EMBD, drawBits, operandLength } from './spec';

export const copyTask = defineTask({
  name: 'copy',
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
    curriculumEnd: 20,
    curriculumInterval: 1000,
    maxTrainLength: 19,
    testLength: 30,
    nLayer: 2,
    nHead: 8,
    nEmbd: REFERENCE_EMBD,
    readIn: 'onehot',
  },
  paddedLength: (maxLen) => 2 * maxLen,
  lengthOf: (ops) => operandLength(ops, 0, MAX_BIT_LENGTH),
  draw: (n, rng) => [drawBits(n, rng)],
  layout: (ops, buf) => {
    const bits = ops[0];
    const n = bits.length;
    for (let i = 0; i < n; i++) {
      buf[i] = bits[i];
      buf[n + 1 + i] = bits[i];
    }
    buf[n] = OP;
    return { eq: n, end: 2 * n + 1 };
  },
  layoutBound: (n) => 2 * n + 1,
  stepsOf: (ops) => ops[0].length,
  steps: (n) => n,
  maxTestSteps: (n) => n + 20,
});
