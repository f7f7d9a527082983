import type { GPTConfig } from '../../src';

/** A one-block looped GPT small enough for float64 references and exhaustive checks. */
export const TINY_GPT: GPTConfig = {
  vocabSize: 5,
  nEmbd: 8,
  nHead: 2,
  nLayer: 1,
  inputInjection: true,
  positional: 'none',
  readIn: 'onehot',
};
