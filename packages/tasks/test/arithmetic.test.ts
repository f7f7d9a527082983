// Random samples decoded back to numbers and checked with plain (BigInt) arithmetic.
import { createRng, getTask, TASK_NAMES, type Batch, type TaskName } from '../src';
import { bigIntToBits, bitsToBigInt, parseRow } from './layout-oracle';

const EQ: Record<TaskName, number> = {
  parity: 2,
  copy: 2,
  addition: 5,
  'binary-sum': 5,
  'unique-set': 51,
  multiplication: 5,
};
const PAD = (name: TaskName) => (name === 'unique-set' ? 53 : 3);

/** The expected answer tokens of a question, from the task definitions in the reference. */
function expectedAnswer(name: TaskName, q: number[]): number[] {
  switch (name) {
    case 'parity':
      return [q.filter((b) => b === 1).length % 2];
    case 'copy':
      return q.slice();
    case 'addition': {
      const plus = q.indexOf(2);
      const a = q.slice(0, plus);
      const b = q.slice(plus + 1);
      expect(a.length).toBe(b.length);
      return bigIntToBits(bitsToBigInt(a) + bitsToBigInt(b), a.length + 1);
    }
    case 'binary-sum': {
      let c = q.filter((b) => b === 1).length;
      const out: number[] = [];
      while (c > 0) {
        out.push(c % 2);
        c = Math.floor(c / 2);
      }
      return out;
    }
    case 'unique-set':
      return [...new Set(q)];
    case 'multiplication': {
      const x = q.indexOf(2);
      const a = q.slice(0, x);
      const b = q.slice(x + 1);
      return bigIntToBits(bitsToBigInt(a) * bitsToBigInt(b), a.length + b.length).reverse();
    }
  }
}

function checkBatch(name: TaskName, batch: Batch): void {
  const [size, L] = batch.shape;
  expect(batch.input.length).toBe(size * L);
  for (let r = 0; r < size; r++) {
    const s = r * L;
    const parsed = parseRow(
      batch.input.subarray(s, s + L),
      batch.target.subarray(s, s + L),
      batch.mask.subarray(s, s + L),
      EQ[name],
      PAD(name),
    );
    const want = expectedAnswer(name, parsed.question);
    if (want.join(',') !== parsed.answer.join(',')) expect(parsed.answer).toEqual(want);
    const n = batch.lengths[r];
    const q = parsed.question;
    let qLen = n;
    let steps = n;
    if (name === 'addition') qLen = 2 * n + 1;
    if (name === 'multiplication') {
      const m = q.indexOf(2);
      qLen = m + 1 + n;
      steps = m * n;
    }
    const valuesOk =
      name === 'unique-set'
        ? q.every((v) => v >= 0 && v <= 49)
        : q.every((v) => v === 0 || v === 1 || v === 2);
    if (q.length !== qLen || batch.steps[r] !== steps || !valuesOk) {
      expect({ qLength: q.length, steps: batch.steps[r], valuesOk }).toEqual({
        qLength: qLen,
        steps,
        valuesOk: true,
      });
    }
  }
}

describe.each(TASK_NAMES)('%s', (name) => {
  const task = getTask(name);
  const rng = createRng(2024).fork(name);

  test('training batches over 1..19 match arithmetic', () => {
    const b = task.batch({ size: 300, minLength: 1, maxLength: 19, rng });
    checkBatch(name, b);
    // Every length of the range occurs.
    expect(new Set(b.lengths).size).toBe(19);
  });

  test.each([1, 2, 40, 64])('single-length test batch n = %i', (n) => {
    const b = task.batch({ size: 40, length: n, rng });
    checkBatch(name, b);
    expect(Array.from(b.lengths)).toEqual(new Array(40).fill(n));
  });

  test('sample() agrees with the same oracle', () => {
    for (let i = 0; i < 30; i++) {
      const ex = task.sample(1 + (i % 25), rng);
      const b: Batch = {
        input: Int32Array.from(ex.input),
        target: Int32Array.from(ex.target),
        mask: Float32Array.from(ex.mask),
        lengths: Int32Array.of(ex.length),
        steps: Int32Array.of(ex.steps),
        shape: [1, ex.input.length],
      };
      checkBatch(name, b);
    }
  });
});

describe('edge cases through fromOperands', () => {
  const check = (name: TaskName, ops: number[][], answer: number[]) => {
    const task = getTask(name);
    const ex = task.fromOperands(ops);
    const parsed = parseRow(ex.input, ex.target, ex.mask, EQ[name], PAD(name));
    expect(parsed.answer).toEqual(answer);
    expect(parsed.answer).toEqual(expectedAnswer(name, parsed.question));
  };

  test('addition: carry through every bit (48 ones + 0...01)', () => {
    const a = new Array(48).fill(1);
    const b = [...new Array(47).fill(0), 1];
    check('addition', [a, b], [1, ...new Array(48).fill(0)]);
  });
  test('addition: all zeros and n = 1', () => {
    check('addition', [new Array(40).fill(0), new Array(40).fill(0)], new Array(41).fill(0));
    check('addition', [[1], [1]], [1, 0]);
    check('addition', [[0], [1]], [0, 1]);
  });
  test('addition: all ones + all ones (n = 64)', () => {
    const a = new Array(64).fill(1);
    // (2^64 - 1) * 2 = 2^65 - 2 -> 65 bits: 64 ones then a zero.
    check('addition', [a, a], [...new Array(64).fill(1), 0]);
  });
  test('parity and binary-sum: all zeros / all ones', () => {
    check('parity', [new Array(40).fill(0)], [0]);
    check('parity', [new Array(41).fill(1)], [1]);
    check('binary-sum', [new Array(24).fill(0)], []);
    check('binary-sum', [new Array(255).fill(1)], [1, 1, 1, 1, 1, 1, 1, 1]);
    check('binary-sum', [[1]], [1]);
  });
  test('unique-set: all equal and all distinct', () => {
    check('unique-set', [new Array(30).fill(17)], [17]);
    const distinct = Array.from({ length: 50 }, (_, i) => (i * 7) % 50);
    check('unique-set', [distinct], distinct);
  });
  test('multiplication: by zero, by one, all ones at k = 40', () => {
    check(
      'multiplication',
      [
        [0, 0],
        [1, 0, 1, 1],
      ],
      [0, 0, 0, 0, 0, 0],
    );
    check('multiplication', [[1], [1, 0, 1, 1]], [1, 1, 0, 1, 0]);
    const b = new Array(40).fill(1);
    // 3 * (2^40 - 1) = 2^41 + 2^40 - 3.
    const expected = bigIntToBits(3n * (2n ** 40n - 1n), 42).reverse();
    check('multiplication', [[1, 1], b], expected);
  });
  test('multiplication: m is uniform in {1, 2} for training and 2 for testing', () => {
    const task = getTask('multiplication');
    const rng = createRng(5);
    const train = task.batch({ size: 2000, maxLength: 11, rng });
    const ms = new Map<number, number>();
    for (let r = 0; r < 2000; r++) {
      const m = train.steps[r] / train.lengths[r];
      ms.set(m, (ms.get(m) ?? 0) + 1);
    }
    expect([...ms.keys()].sort()).toEqual([1, 2]);
    // Binomial(2000, 0.5): 4.5 standard deviations = 100.
    expect(Math.abs(ms.get(1)! - 1000)).toBeLessThan(100);
    const test = task.batch({ size: 50, length: 15, rng });
    expect(Array.from(test.steps)).toEqual(new Array(50).fill(30));
    expect(test.shape).toEqual([50, 68]);
  });
});

describe('bits are fair coin flips', () => {
  test('frequency of ones in copy inputs', () => {
    const b = getTask('copy').batch({ size: 2000, length: 32, rng: createRng(11) });
    let ones = 0;
    for (let r = 0; r < 2000; r++) for (let i = 0; i < 32; i++) ones += b.input[r * 68 + i];
    // 64000 fair bits: sd = 126.5; allow 5 sd.
    expect(Math.abs(ones - 32000)).toBeLessThan(633);
  });
});
