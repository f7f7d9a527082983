/**
 * Token ids shared by the binary tasks (reference implementation): 0/1 bits, 2 the first operator
 * ('=' for parity/copy, '+' for addition, 'x' for multiplication), 3 pad = EOS, 5 '=' when 2 is an
 * operator. Id 4 is unused. The one-hot read-in has width 6.
 */
import { TaskArgumentError } from '../validation';

export const OP = 2;
export const PAD = 3;
export const EQ5 = 5;
export const BINARY_VOCAB = 6;

/** Largest n for the bit tasks (documented maximum; keeps batches small and T(n) sane). */
export const MAX_BIT_LENGTH = 512;

export function binarySymbols(op: string): string[] {
  return ['0', '1', op, '_', '', '='];
}

export function checkSameLength(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) {
    throw new TaskArgumentError(
      'operands',
      `operands[0] and operands[1] must have the same number of bits; got ${a.length} and ${b.length}`,
    );
  }
}
