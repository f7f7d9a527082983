// Batches: determinism, length distribution, helpers, curriculum closed forms, bad input.
import {
  batchRow,
  createRng,
  curriculum,
  curriculumRampSteps,
  getTask,
  sliceBatch,
  splitBatch,
  TASK_NAMES,
} from '../src';

describe('determinism', () => {
  test.each(TASK_NAMES)('%s: same seed -> identical batches; different seed -> different', (name) => {
    const task = getTask(name);
    const a = task.batch({ size: 16, maxLength: 12, rng: createRng(42) });
    const b = task.batch({ size: 16, maxLength: 12, rng: createRng(42) });
    const c = task.batch({ size: 16, maxLength: 12, rng: createRng(43) });
    expect(b).toEqual(a);
    expect(Array.from(c.input)).not.toEqual(Array.from(a.input));
    const s1 = task.sample(9, createRng(1).fork('val'));
    expect(task.sample(9, createRng(1).fork('val'))).toEqual(s1);
  });
});

test('lengths are uniform over [minLength, maxLength] (chi-square, 9 df)', () => {
  const b = getTask('parity').batch({ size: 20_000, minLength: 3, maxLength: 12, rng: createRng(2) });
  const counts = new Array<number>(10).fill(0);
  b.lengths.forEach((n) => counts[n - 3]++);
  const chi2 = counts.reduce((a, c) => a + (c - 2000) ** 2 / 2000, 0);
  expect(chi2).toBeLessThan(27.88);
  expect(b.shape).toEqual([20_000, 13]);
});

test('sliceBatch / splitBatch / batchRow copy the right rows', () => {
  const task = getTask('copy');
  const b = task.batch({ size: 7, maxLength: 5, rng: createRng(3) });
  const L = b.shape[1];
  const parts = splitBatch(b, 3);
  expect(parts.map((p) => p.shape[0])).toEqual([3, 3, 1]);
  expect(Array.from(parts[1].input)).toEqual(Array.from(b.input.subarray(3 * L, 6 * L)));
  expect(Array.from(parts[2].lengths)).toEqual([b.lengths[6]]);
  const s = sliceBatch(b, 2, 4);
  expect(Array.from(s.mask)).toEqual(Array.from(b.mask.subarray(2 * L, 4 * L)));
  const row = batchRow(b, 5);
  expect(row.input).toEqual(Array.from(b.input.subarray(5 * L, 6 * L)));
  expect(row.steps).toBe(b.steps[5]);
  expect(() => sliceBatch(b, 4, 4)).toThrow(/end must be an integer in \[5, 7\]; got 4/);
});

describe('curriculum', () => {
  test('reference schedule: bound from 2, +1 every interval, lengths 1..bound-1', () => {
    const parity = getTask('parity');
    expect(curriculum(parity, 0)).toBe(1);
    expect(curriculum(parity, 499)).toBe(1);
    expect(curriculum(parity, 500)).toBe(2);
    expect(curriculum(parity, 18 * 500 + 1)).toBe(19);
    expect(curriculum(parity, 19 * 500)).toBe(20);
    expect(curriculum(parity, 10 ** 7)).toBe(20);
    expect(curriculumRampSteps(parity)).toBe(9500);
    expect(curriculum(getTask('addition'), 1600 * 18 - 1)).toBe(18);
    expect(curriculum(getTask('addition'), 1600 * 18)).toBe(19);
    expect(curriculum(getTask('multiplication'), 10 ** 6)).toBe(11);
    expect(curriculum({ start: 5, end: 9, interval: 10 }, 25)).toBe(6);
    expect(curriculum({ end: 9, interval: 10 }, 0)).toBe(1);
  });
  test('reference max train lengths equal the curriculum end - 1', () => {
    for (const name of TASK_NAMES) {
      const t = getTask(name);
      expect(curriculum(t, 10 ** 9)).toBe(t.reference.maxTrainLength);
    }
  });
  test('bad input', () => {
    expect(() => curriculum(getTask('parity'), -1)).toThrow(/step must be an integer >= 0; got -1/);
    expect(() => curriculum({ end: 10, interval: 0 }, 1)).toThrow(/interval must be an integer >= 1; got 0/);
  });
});

describe('bad input: clear errors naming the argument and the allowed range', () => {
  const parity = getTask('parity');
  const rng = createRng(1);
  test.each([
    [
      () => getTask('sorting' as never),
      /unknown task "sorting"; expected one of parity, copy, addition, binary-sum, unique-set, multiplication/,
    ],
    [() => parity.sample(0, rng), /n must be an integer in \[1, 512\]; got 0/],
    [() => parity.sample(2.5, rng), /n must be an integer in \[1, 512\]; got 2\.5/],
    [() => parity.sample(513, rng), /n must be an integer in \[1, 512\]; got 513/],
    [() => getTask('binary-sum').sample(256, rng), /n must be an integer in \[1, 255\]; got 256/],
    [() => parity.batch({ size: 0, maxLength: 5, rng }), /size must be an integer in \[1, 1000000\]; got 0/],
    [
      () => parity.batch({ size: 2, minLength: 6, maxLength: 5, rng }),
      /minLength must be an integer in \[1, 5\]; got 6/,
    ],
    [() => parity.batch({ size: 2, length: 0, rng }), /length must be an integer in \[1, 512\]; got 0/],
    [
      () => parity.batch({ size: 2, maxLength: Number.NaN, rng }),
      /maxLength must be an integer in \[1, 512\]; got NaN/,
    ],
    [() => parity.batch({ size: 2, maxLength: 5, rng: undefined as never }), /rng must be an Rng/],
    [
      () => parity.batch({ size: 2, maxLength: 5, maxLen: 3, rng }),
      /maxLen 3 gives parity sequences of length 3, too short for n = \d/,
    ],
    [
      () => parity.batch({ size: 2, maxLength: 5, mode: 'eval' as never, rng }),
      /mode must be one of 'train', 'test'; got "eval"/,
    ],
    [() => getTask('addition').fromOperands([[1, 0], [1]]), /same number of bits; got 2 and 1/],
    [
      () => getTask('unique-set').fromOperands([[3, 50]]),
      /operands\[0\]\[1\] must be an integer in \[0, 49\]; got 50/,
    ],
    [
      () => getTask('multiplication').fromOperands([[1, 0, 1], [1]]),
      /operands\[0\] must have a length in \[1, 2\]; got 3/,
    ],
    [() => parity.decode([0, 7]), /tokens\[1\] must be an integer in \[0, 5\]; got 7/],
  ] as const)('%#', (fn, message) => {
    expect(fn).toThrow(message);
  });
});
