// Tokenizers: GPT-2 ids from the reference notes and GPT-2's byte-level vocabulary, <|endoftext|>
// anywhere, lossless task alphabets; text windows checked against a hand-computed example.
import {
  createRng,
  getTask,
  gpt2Tokenizer,
  taskTokenizer,
  textDataset,
  TASK_NAMES,
  type Tokenizer,
} from '../src';

describe('gpt2Tokenizer', () => {
  const tok = gpt2Tokenizer();
  test('known ids (r50k_base, not the o200k default)', () => {
    expect(tok.vocabSize).toBe(50257);
    expect(tok.encode('Hello world!')).toEqual([15496, 995, 0]);
    // GPT-2 byte-level BPE: 'a' and 'b' alone are single-byte tokens 64 and 65 (bytes 97, 98 minus 33).
    expect(tok.encode('a')).toEqual([64]);
  });
  test('<|endoftext|> anywhere becomes 50256', () => {
    expect(tok.encode('a<|endoftext|>b')).toEqual([64, 50256, 65]);
    expect(tok.encode('<|endoftext|>')).toEqual([50256]);
    expect(tok.encode('Hello world!<|endoftext|><|endoftext|>')).toEqual([15496, 995, 0, 50256, 50256]);
    expect(tok.decode([64, 50256, 65])).toBe('a<|endoftext|>b');
  });
  test('round trip of ordinary text', () => {
    const text = 'Looped transformers generalise to longer inputs.\n  Ünïcode → fine? <|endofprompt|>';
    expect(tok.decode(tok.encode(text))).toBe(text);
  });
  test('bad ids are rejected', () => {
    expect(() => tok.decode([50257])).toThrow(/ids\[0\] must be an integer in \[0, 50256\]; got 50257/);
  });
});

describe('taskTokenizer', () => {
  test('bit tasks: one character per token, pad shown as _', () => {
    const t = taskTokenizer(getTask('addition'));
    expect(t.vocabSize).toBe(6);
    expect(t.encode('01+1=100__')).toEqual([0, 1, 2, 1, 5, 1, 0, 0, 3, 3]);
    expect(t.encode(' 0 1 + ')).toEqual([0, 1, 2]);
    expect(t.decode([0, 1, 2, 1, 5, 3])).toBe('01+1=_');
    expect(() => t.encode('01*1')).toThrow(/unknown addition symbol "\*"/);
  });
  test('unique-set: space-separated integers', () => {
    const t = taskTokenizer(getTask('unique-set'));
    expect(t.vocabSize).toBe(60);
    expect(t.encode('12 3 49 = 12 _')).toEqual([12, 3, 49, 51, 12, 53]);
    expect(t.decode([12, 3, 51, 53])).toBe('12 3 = _');
  });
  test.each(TASK_NAMES)('%s: decode then encode is the identity on sampled rows', (name) => {
    const task = getTask(name);
    const t: Tokenizer = taskTokenizer(task);
    const rng = createRng(1);
    for (let i = 0; i < 20; i++) {
      const ex = task.sample(1 + i, rng);
      expect(t.encode(t.decode(ex.input))).toEqual(ex.input);
      expect(t.encode(t.decode(ex.target))).toEqual(ex.target);
    }
  });
});

describe('textDataset', () => {
  const chars: Tokenizer = {
    vocabSize: 26,
    encode: (s) => [...s].map((c) => c.charCodeAt(0) - 97),
    decode: (ids) => Array.from(ids, (i) => String.fromCharCode(97 + i)).join(''),
  };
  test('windows by hand: "abcdefghij", blockSize 3', () => {
    const ds = textDataset('abcdefghij', { blockSize: 3, tokenizer: chars });
    // 10 tokens: windows start at 0, 3, 6 (start + 3 + 1 <= 10).
    expect(ds.numWindows).toBe(3);
    expect(ds.shape).toEqual([3, 3]);
    expect(Array.from(ds.input)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(ds.target)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const overlapping = textDataset('abcdef', { blockSize: 2, stride: 1, tokenizer: chars });
    expect(overlapping.numWindows).toBe(4);
    expect(Array.from(overlapping.input)).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
    expect(Array.from(overlapping.target)).toEqual([1, 2, 2, 3, 3, 4, 4, 5]);
  });
  test('GPT-2 default tokenizer and random batches are shifted windows of the token stream', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const ds = textDataset(text, { blockSize: 8 });
    expect(ds.vocabSize).toBe(50257);
    expect(Array.from(ds.tokens)).toEqual(gpt2Tokenizer().encode(text));
    const b = ds.batch({ size: 16, rng: createRng(3), steps: 4 });
    expect(b.shape).toEqual([16, 8]);
    expect(Array.from(b.steps)).toEqual(new Array(16).fill(4));
    const stream = Array.from(ds.tokens).join(',');
    for (let r = 0; r < 16; r++) {
      const inp = Array.from(b.input.subarray(r * 8, r * 8 + 8));
      const tgt = Array.from(b.target.subarray(r * 8, r * 8 + 8));
      expect(tgt.slice(0, 7)).toEqual(inp.slice(1));
      expect(stream.includes([...inp, tgt[7]].join(','))).toBe(true);
    }
  });
  test('too short a text is an error naming blockSize', () => {
    expect(() => textDataset('abc', { blockSize: 3, tokenizer: chars })).toThrow(
      /3 tokens; blockSize 3 needs at least 4/,
    );
    expect(() => textDataset('abcdef', { blockSize: 0, tokenizer: chars })).toThrow(
      /blockSize must be an integer in \[1, /,
    );
  });
});
