/**
 * What a task file defines: how to draw operands and how to lay out `question = answer`.
 * `define.ts` turns a spec into an `AlgorithmicTask` (padding, target shift, mask, batches).
 */
import type { Rng } from '../rng';
import { TaskArgumentError } from '../validation';
import type { ReferenceSettings, SampleMode, TaskName } from '../types';

export interface TaskSpec {
  name: TaskName;
  vocabSize: number;
  padId: number;
  eqId: number;
  maxLength: number;
  arity: number;
  /** Largest token value an operand element may take (1 for bits, 49 for unique-set). */
  operandMax: number;
  /** Symbol per token id; '' for ids the task never uses. */
  symbols: string[];
  /** Separator used by `decode` between tokens ('' for bit strings, ' ' for integers). */
  separator: string;
  reference: ReferenceSettings;
  paddedLength(maxLen: number): number;
  /** Checks operand lengths (values are checked by the caller); returns n. */
  lengthOf(operands: readonly (readonly number[])[]): number;
  /** Random operands of length n. */
  draw(n: number, rng: Rng, mode: SampleMode): number[][];
  /** Writes `question = answer` into buf; returns the "=" index and the end (exclusive). */
  layout(operands: readonly (readonly number[])[], buf: Int32Array): { eq: number; end: number };
  /** Upper bound of the laid-out length for n (scratch size). */
  layoutBound(n: number): number;
  /** T of these operands. */
  stepsOf(operands: readonly (readonly number[])[]): number;
  steps(n: number, m?: number): number;
  maxTestSteps(n: number): number;
}

/** GPU-scale reference model shape shared by every task. */
export const REFERENCE_EMBD = 256;

export function drawBits(n: number, rng: Rng): number[] {
  const bits = new Array<number>(n);
  let word = 0;
  for (let i = 0; i < n; i++) {
    // 32 bits per uint32 draw.
    if ((i & 31) === 0) word = rng.uint32();
    bits[i] = (word >>> (i & 31)) & 1;
  }
  return bits;
}

/** Length of operand i, checked to be in [1, maxLength]. */
export function operandLength(ops: readonly (readonly number[])[], i: number, maxLength: number): number {
  const len = ops[i].length;
  if (len < 1 || len > maxLength) {
    throw new TaskArgumentError(
      `operands[${i}]`,
      `operands[${i}] must have a length in [1, ${maxLength}]; got ${len}`,
    );
  }
  return len;
}
