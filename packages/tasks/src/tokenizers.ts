/** One `Tokenizer` interface over the GPT-2 BPE (r50k_base) and the task alphabets. */
import { decode as r50kDecode, encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';
import type { AlgorithmicTask } from './types';
import { TaskArgumentError } from './validation';

export interface Tokenizer {
  encode(text: string): number[];
  decode(ids: ArrayLike<number>): string;
  readonly vocabSize: number;
}

export const GPT2_VOCAB_SIZE = 50257;
export const GPT2_END_OF_TEXT = '<|endoftext|>';
export const GPT2_END_OF_TEXT_ID = 50256;

function checkText(text: unknown): string {
  if (typeof text !== 'string')
    throw new TaskArgumentError('text', `text must be a string; got ${typeof text}`);
  return text;
}

function checkIds(ids: ArrayLike<number>, vocabSize: number): number[] {
  if (ids === null || ids === undefined || typeof ids.length !== 'number') {
    throw new TaskArgumentError('ids', 'ids must be an array of token ids');
  }
  const out = Array.from(ids);
  out.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new TaskArgumentError(
        `ids[${i}]`,
        `ids[${i}] must be an integer in [0, ${vocabSize - 1}]; got ${String(id)}`,
      );
    }
  });
  return out;
}

/**
 * GPT-2 tokenizer (r50k_base, 50,257 ids). gpt-tokenizer only recognises `<|endoftext|>` at the
 * start of a string, so the text is split on it and 50256 is inserted between the encoded pieces;
 * every other special-looking text is encoded as plain text.
 */
export function gpt2Tokenizer(): Tokenizer {
  const plain = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };
  return {
    vocabSize: GPT2_VOCAB_SIZE,
    encode(text: string): number[] {
      const pieces = checkText(text).split(GPT2_END_OF_TEXT);
      const out: number[] = [];
      pieces.forEach((piece, i) => {
        if (i > 0) out.push(GPT2_END_OF_TEXT_ID);
        if (piece.length > 0) for (const id of r50kEncode(piece, plain)) out.push(id);
      });
      return out;
    },
    decode(ids: ArrayLike<number>): string {
      return r50kDecode(checkIds(ids, GPT2_VOCAB_SIZE));
    },
  };
}

/**
 * Tokenizer over a task's alphabet, lossless: `decode` writes every token's symbol (pad as '_'),
 * integers of unique-set separated by spaces; `encode` parses that form back (whitespace between
 * symbols of bit tasks is ignored). For a readable form without pads use `task.decode`.
 */
export function taskTokenizer(task: AlgorithmicTask): Tokenizer {
  const bySymbol = new Map<string, number>();
  task.symbols.forEach((s, id) => {
    if (s !== '' && !bySymbol.has(s)) bySymbol.set(s, id);
  });
  const spaced = task.symbols.some((s) => s.length > 1);
  const lookup = (sym: string): number => {
    const id = bySymbol.get(sym);
    if (id === undefined) {
      throw new TaskArgumentError(
        'text',
        `unknown ${task.name} symbol ${JSON.stringify(sym)}; expected one of ${[...bySymbol.keys()].join(' ')}`,
      );
    }
    return id;
  };
  return {
    vocabSize: task.vocabSize,
    encode(text: string): number[] {
      const t = checkText(text).trim();
      if (t === '') return [];
      return spaced ? t.split(/\s+/).map(lookup) : [...t.replace(/\s+/g, '')].map(lookup);
    },
    decode(ids: ArrayLike<number>): string {
      const syms = checkIds(ids, task.vocabSize).map((id) => task.symbols[id] || `<${id}>`);
      return syms.join(spaced ? ' ' : '');
    },
  };
}
