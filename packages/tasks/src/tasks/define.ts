/** Builds an `AlgorithmicTask` from a `TaskSpec`: padding, target shift, mask, batching, decoding. */
import type { Rng } from '../rng';
import type { AlgorithmicTask, Batch, BatchOptions, Example, SampleMode, SampleOptions } from '../types';
import { TaskArgumentError, checkInt, checkOneOf } from '../validation';
import type { TaskSpec } from './spec';

/** Largest batch size accepted by `batch` (guards against accidental huge allocations). */
export const MAX_BATCH_SIZE = 1_000_000;

function checkRng(rng: unknown): Rng {
  const r = rng as Rng | undefined;
  if (!r || typeof r.uint32 !== 'function' || typeof r.int !== 'function') {
    throw new TaskArgumentError('rng', `rng must be an Rng from createRng(seed); got ${String(rng)}`);
  }
  return r;
}

/**
 * Writes one padded row: input = question "=" then pads; target[p] = full[p+1] (pad beyond the
 * answer); mask[p] = 1 for p >= eq.
 */
function writeRow(
  spec: TaskSpec,
  full: Int32Array,
  eq: number,
  end: number,
  seqLen: number,
  input: Int32Array,
  target: Int32Array,
  mask: Float32Array,
  offset: number,
): void {
  const pad = spec.padId;
  for (let p = 0; p < seqLen; p++) {
    const o = offset + p;
    input[o] = p <= eq ? full[p] : pad;
    target[o] = p + 1 < end ? full[p + 1] : pad;
    mask[o] = p >= eq ? 1 : 0;
  }
}

function checkFits(spec: TaskSpec, n: number, end: number, seqLen: number, maxLen: number): void {
  // The last answer token is full[end-1] and must be the target of some position (index end-2).
  if (end - 1 > seqLen) {
    throw new TaskArgumentError(
      'maxLen',
      `maxLen ${maxLen} gives ${spec.name} sequences of length ${seqLen}, too short for n = ${n} ` +
        `(question and answer need ${end - 1}); use maxLen >= n + 1`,
    );
  }
}

const checkN = (spec: TaskSpec, name: string, n: unknown): number => checkInt(name, n, 1, spec.maxLength);
const checkMaxLen = (spec: TaskSpec, maxLen: unknown): number =>
  checkInt('maxLen', maxLen, 2, spec.maxLength + 2);

/** Operands of the right count, each a token array within the task's operand range; returns n. */
function checkOperands(spec: TaskSpec, operands: readonly (readonly number[])[]): number {
  if (!Array.isArray(operands) || operands.length !== spec.arity) {
    throw new TaskArgumentError(
      'operands',
      `operands must be an array of ${spec.arity} token arrays for ${spec.name}`,
    );
  }
  operands.forEach((op, i) => {
    if (!Array.isArray(op))
      throw new TaskArgumentError(`operands[${i}]`, `operands[${i}] must be an array of integers`);
    op.forEach((v, j) => {
      if (!Number.isInteger(v) || v < 0 || v > spec.operandMax) {
        throw new TaskArgumentError(
          `operands[${i}][${j}]`,
          `operands[${i}][${j}] must be an integer in [0, ${spec.operandMax}]; got ${String(v)}`,
        );
      }
    });
  });
  return spec.lengthOf(operands);
}

/** One example from operands: the reference layout padded to `maxLen`. */
function buildExample(
  spec: TaskSpec,
  operands: readonly (readonly number[])[],
  n: number,
  maxLen: number,
): Example {
  const seqLen = spec.paddedLength(maxLen);
  const full = new Int32Array(spec.layoutBound(n));
  const { eq, end } = spec.layout(operands, full);
  checkFits(spec, n, end, seqLen, maxLen);
  const input = new Int32Array(seqLen);
  const target = new Int32Array(seqLen);
  const mask = new Float32Array(seqLen);
  writeRow(spec, full, eq, end, seqLen, input, target, mask, 0);
  return {
    input: Array.from(input),
    target: Array.from(target),
    mask: Array.from(mask),
    length: n,
    steps: spec.stepsOf(operands),
  };
}

/** A batch of one length (test) or of lengths in [minLength, maxLength] (train), typed arrays row-major. */
function drawBatch(spec: TaskSpec, options: BatchOptions): Batch {
  if (options === null || typeof options !== 'object') {
    throw new TaskArgumentError(
      'options',
      'batch options must be an object { size, minLength?, maxLength, rng } or { size, length, rng }',
    );
  }
  const size = checkInt('size', options.size, 1, MAX_BATCH_SIZE);
  const rng = checkRng(options.rng);
  let minLength: number;
  let maxLength: number;
  let defaultMaxLen: number;
  let defaultMode: SampleMode;
  if (options.length !== undefined) {
    if (options.maxLength !== undefined || options.minLength !== undefined) {
      throw new TaskArgumentError('length', 'give either length or minLength/maxLength, not both');
    }
    minLength = maxLength = checkN(spec, 'length', options.length);
    defaultMaxLen = maxLength + 2;
    defaultMode = 'test';
  } else {
    maxLength = checkN(spec, 'maxLength', options.maxLength);
    minLength = options.minLength === undefined ? 1 : checkInt('minLength', options.minLength, 1, maxLength);
    defaultMaxLen = maxLength + 1;
    defaultMode = 'train';
  }
  const mode = checkOneOf<SampleMode>('mode', options.mode ?? defaultMode, ['train', 'test']);
  const maxLen = options.maxLen === undefined ? defaultMaxLen : checkMaxLen(spec, options.maxLen);
  const seqLen = spec.paddedLength(maxLen);
  const input = new Int32Array(size * seqLen);
  const target = new Int32Array(size * seqLen);
  const mask = new Float32Array(size * seqLen);
  const lengths = new Int32Array(size);
  const steps = new Int32Array(size);
  const full = new Int32Array(spec.layoutBound(maxLength));
  for (let b = 0; b < size; b++) {
    const n = minLength === maxLength ? minLength : rng.int(minLength, maxLength);
    const operands = spec.draw(n, rng, mode);
    const { eq, end } = spec.layout(operands, full);
    checkFits(spec, n, end, seqLen, maxLen);
    writeRow(spec, full, eq, end, seqLen, input, target, mask, b * seqLen);
    lengths[b] = n;
    steps[b] = spec.stepsOf(operands);
  }
  return { input, target, mask, lengths, steps, shape: [size, seqLen] };
}

/** Human-readable rendering, pads dropped, a space after "=". */
function decodeTokens(spec: TaskSpec, tokens: ArrayLike<number>): string {
  if (tokens === null || tokens === undefined || typeof tokens.length !== 'number') {
    throw new TaskArgumentError('tokens', 'tokens must be an array of token ids');
  }
  let out = '';
  let prev = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!Number.isInteger(t) || t < 0 || t >= spec.vocabSize) {
      throw new TaskArgumentError(
        `tokens[${i}]`,
        `tokens[${i}] must be an integer in [0, ${spec.vocabSize - 1}]; got ${String(t)}`,
      );
    }
    if (t === spec.padId) continue;
    const sym = spec.symbols[t] || `<${t}>`;
    if (out.length > 0 && (spec.separator !== '' || prev === '=')) out += ' ';
    out += sym;
    prev = t === spec.eqId ? '=' : sym;
  }
  return out;
}

/** Question and answer of an example. */
function decodeExampleOf(spec: TaskSpec, example: Pick<Example, 'input' | 'target' | 'mask'>): string {
  const eq = Array.from(example.mask).findIndex((m) => m > 0);
  if (eq < 0)
    throw new TaskArgumentError('example.mask', 'example.mask has no position with mask 1 (no "=" token)');
  const question = Array.from(example.input).slice(0, eq + 1);
  const answer: number[] = [];
  for (let p = eq; p < example.target.length && example.target[p] !== spec.padId; p++)
    answer.push(example.target[p]);
  return decodeTokens(spec, [...question, ...answer]);
}

export function defineTask(spec: TaskSpec): AlgorithmicTask {
  const sample = (n: number, rng: Rng, options: SampleOptions = {}): Example => {
    checkN(spec, 'n', n);
    checkRng(rng);
    const mode = checkOneOf<SampleMode>('mode', options.mode ?? 'test', ['train', 'test']);
    const maxLen = options.maxLen === undefined ? n + 2 : checkMaxLen(spec, options.maxLen);
    return buildExample(spec, spec.draw(n, rng, mode), n, maxLen);
  };
  const fromOperands = (
    operands: readonly (readonly number[])[],
    options: { maxLen?: number } = {},
  ): Example => {
    const n = checkOperands(spec, operands);
    const maxLen = options.maxLen === undefined ? n + 2 : checkMaxLen(spec, options.maxLen);
    return buildExample(spec, operands, n, maxLen);
  };
  return {
    name: spec.name,
    vocabSize: spec.vocabSize,
    padId: spec.padId,
    eqId: spec.eqId,
    maxLength: spec.maxLength,
    arity: spec.arity,
    reference: { ...spec.reference },
    symbols: spec.symbols.map((s, i) => (i === spec.padId ? '_' : s)),
    steps: (n: number, m?: number) => {
      checkN(spec, 'n', n);
      if (m !== undefined) checkInt('m', m, 1, 2);
      return spec.steps(n, m);
    },
    maxTestSteps: (n: number) => spec.maxTestSteps(checkN(spec, 'n', n)),
    paddedLength: (maxLen: number) => spec.paddedLength(checkMaxLen(spec, maxLen)),
    sample,
    fromOperands,
    batch: (options: BatchOptions) => drawBatch(spec, options),
    decode: (tokens: ArrayLike<number>) => decodeTokens(spec, tokens),
    decodeExample: (example: Pick<Example, 'input' | 'target' | 'mask'>) => decodeExampleOf(spec, example),
  };
}
