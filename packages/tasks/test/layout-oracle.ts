/**
 * Test-side parser of the reference layout, written from reference/algorithmic-tasks.md
 * independently of src/: splits a padded example into question tokens and answer tokens and
 * checks the generic invariants (input pads after "=", next-token shifted target, mask from "=").
 */
export interface Parsed {
  eq: number;
  question: number[];
  answer: number[];
}

export function parseRow(
  input: ArrayLike<number>,
  target: ArrayLike<number>,
  mask: ArrayLike<number>,
  eqId: number,
  pad: number,
): Parsed {
  // Plain checks collected into one message (thousands of expect() calls per batch are slow).
  const L = input.length;
  const bad: string[] = [];
  if (target.length !== L || mask.length !== L) bad.push(`lengths ${L}/${target.length}/${mask.length}`);
  // The "=" token is the last non-pad input token; everything after it is pad.
  let eq = -1;
  for (let p = 0; p < L; p++) if (input[p] === eqId) eq = p;
  if (eq < 0) bad.push('no "=" token');
  for (let p = eq + 1; p < L; p++) if (input[p] !== pad) bad.push(`input[${p}] = ${input[p]} after "="`);
  for (let p = 0; p < L; p++) if (mask[p] !== (p >= eq ? 1 : 0)) bad.push(`mask[${p}] = ${mask[p]}`);
  // Next-token shift over the question: target[p] = input[p+1] before "=".
  for (let p = 0; p < eq; p++) if (target[p] !== input[p + 1]) bad.push(`target[${p}] != input[${p + 1}]`);
  const answer: number[] = [];
  let p = eq;
  while (p < L && target[p] !== pad) answer.push(target[p++]);
  // After the answer only EOS (= pad) targets.
  for (; p < L; p++) if (target[p] !== pad) bad.push(`target[${p}] = ${target[p]} after the answer`);
  if (bad.length > 0) throw new Error(`layout violations: ${bad.slice(0, 5).join('; ')}`);
  return { eq, question: Array.from(input).slice(0, eq), answer };
}

export function bitsToBigInt(bitsMsbFirst: readonly number[]): bigint {
  let v = 0n;
  for (const b of bitsMsbFirst) v = v * 2n + BigInt(b);
  return v;
}

export function bigIntToBits(v: bigint, width: number): number[] {
  const out: number[] = [];
  for (let i = width - 1; i >= 0; i--) out.push(Number((v >> BigInt(i)) & 1n));
  return out;
}
