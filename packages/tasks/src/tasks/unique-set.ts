/**
 * unique-set: n integers uniform in 0..49, '=' (51), then the distinct values in order of first
 * occurrence; pads 53. Embedding table of 60 ids. Padded length 2*maxLen; T(n) = n.
 */
import { defineTask } from './define';
import { MAX_BIT_LENGTH } from './binary-vocab';
import { REFERENCE_EMBD, operandLength } from './spec';

export const UNIQUE_SET_VALUES = 50;
const EQ = 51;
const PAD = 53;
const VOCAB = 60;

const symbols = Array.from({ length: VOCAB }, (_, i) => (i < UNIQUE_SET_VALUES ? String(i) : ''));
symbols[EQ] = '=';
symbols[PAD] = '_';

export const uniqueSetTask = defineTask({
  name: 'unique-set',
  vocabSize: VOCAB,
  padId: PAD,
  eqId: EQ,
  maxLength: MAX_BIT_LENGTH,
  arity: 1,
  operandMax: UNIQUE_SET_VALUES - 1,
  symbols,
  separator: ' ',
  reference: {
    curriculumStart: 2,
    curriculumEnd: 20,
    curriculumInterval: 1000,
    maxTrainLength: 19,
    testLength: 30,
    nLayer: 3,
    nHead: 8,
    nEmbd: REFERENCE_EMBD,
    readIn: 'embedding',
  },
  paddedLength: (maxLen) => 2 * maxLen,
  lengthOf: (ops) => operandLength(ops, 0, MAX_BIT_LENGTH),
  draw: (n, rng) => {
    const values = new Array<number>(n);
    for (let i = 0; i < n; i++) values[i] = rng.int(0, UNIQUE_SET_VALUES - 1);
    return [values];
  },
  layout: (ops, buf) => {
    const values = ops[0];
    const n = values.length;
    const seen = new Uint8Array(UNIQUE_SET_VALUES);
    let end = n + 1;
    for (let i = 0; i < n; i++) buf[i] = values[i];
    buf[n] = EQ;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (seen[v] === 0) {
        seen[v] = 1;
        buf[end++] = v;
      }
    }
    return { eq: n, end };
  },
  layoutBound: (n) => 2 * n + 1,
  stepsOf: (ops) => ops[0].length,
  steps: (n) => n,
  maxTestSteps: (n) => n + 30,
});
