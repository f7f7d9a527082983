/**
 * Next-token training windows over a text, so a looped model can also be trained on real text.
 * Window i covers tokens [i*stride, i*stride + blockSize); its target is the same span shifted by one.
 */
import type { Rng } from './rng';
import { gpt2Tokenizer, type Tokenizer } from './tokenizers';
import type { Batch } from './types';
import { TaskArgumentError, checkInt } from './validation';

export interface TextDatasetOptions {
  blockSize: number;
  /** Default: `gpt2Tokenizer()`. */
  tokenizer?: Tokenizer;
  /** Offset between consecutive windows (default blockSize: non-overlapping). */
  stride?: number;
}

export interface TextDataset {
  tokens: Int32Array;
  vocabSize: number;
  blockSize: number;
  stride: number;
  numWindows: number;
  /** All windows: [numWindows, blockSize] row-major, like a `Batch`. */
  input: Int32Array;
  target: Int32Array;
  mask: Float32Array;
  shape: [number, number];
  /** `size` windows drawn uniformly with replacement; every position scored (mask 1). */
  batch(options: { size: number; rng: Rng; steps?: number }): Batch;
}

export function textDataset(text: string, options: TextDatasetOptions): TextDataset {
  if (typeof text !== 'string')
    throw new TaskArgumentError('text', `text must be a string; got ${typeof text}`);
  const blockSize = checkInt('blockSize', options?.blockSize, 1, 1 << 16);
  const stride = checkInt('stride', options.stride ?? blockSize, 1);
  const tokenizer = options.tokenizer ?? gpt2Tokenizer();
  const tokens = Int32Array.from(tokenizer.encode(text));
  if (tokens.length < blockSize + 1) {
    throw new TaskArgumentError(
      'text',
      `text encodes to ${tokens.length} tokens; blockSize ${blockSize} needs at least ${blockSize + 1}`,
    );
  }
  const numWindows = Math.floor((tokens.length - 1 - blockSize) / stride) + 1;
  const input = new Int32Array(numWindows * blockSize);
  const target = new Int32Array(numWindows * blockSize);
  for (let w = 0; w < numWindows; w++) {
    const s = w * stride;
    input.set(tokens.subarray(s, s + blockSize), w * blockSize);
    target.set(tokens.subarray(s + 1, s + 1 + blockSize), w * blockSize);
  }
  const mask = new Float32Array(numWindows * blockSize).fill(1);
  return {
    tokens,
    vocabSize: tokenizer.vocabSize,
    blockSize,
    stride,
    numWindows,
    input,
    target,
    mask,
    shape: [numWindows, blockSize],
    batch({ size, rng, steps = 1 }) {
      checkInt('size', size, 1, 1_000_000);
      checkInt('steps', steps, 1);
      const bi = new Int32Array(size * blockSize);
      const bt = new Int32Array(size * blockSize);
      for (let b = 0; b < size; b++) {
        const w = rng.int(0, numWindows - 1);
        bi.set(input.subarray(w * blockSize, (w + 1) * blockSize), b * blockSize);
        bt.set(target.subarray(w * blockSize, (w + 1) * blockSize), b * blockSize);
      }
      return {
        input: bi,
        target: bt,
        mask: new Float32Array(size * blockSize).fill(1),
        lengths: new Int32Array(size).fill(blockSize),
        steps: new Int32Array(size).fill(steps),
        shape: [size, blockSize],
      };
    },
  };
}
