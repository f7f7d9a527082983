// Exact token layouts against hand-written examples (ids, padding, target shift, mask) from
// reference/algorithmic-tasks.md.
import { getTask, createRng } from '../src';

const ones = (k: number) => new Array<number>(k).fill(1);
const zeros = (k: number) => new Array<number>(k).fill(0);
const pads = (k: number, id = 3) => new Array<number>(k).fill(id);

describe('hand-written layouts (single-length test padding maxLen = n + 2)', () => {
  test('addition 01100 + 11110 -> 101010', () => {
    const ex = getTask('addition').fromOperands([
      [0, 1, 1, 0, 0],
      [1, 1, 1, 1, 0],
    ]);
    // 3 * (5 + 2) = 21 positions.
    expect(ex.input).toEqual([0, 1, 1, 0, 0, 2, 1, 1, 1, 1, 0, 5, ...pads(9)]);
    expect(ex.target).toEqual([1, 1, 0, 0, 2, 1, 1, 1, 1, 0, 5, 1, 0, 1, 0, 1, 0, ...pads(4)]);
    expect(ex.mask).toEqual([...zeros(11), ...ones(10)]);
    expect(ex.length).toBe(5);
    expect(ex.steps).toBe(5);
    expect(getTask('addition').decodeExample(ex)).toBe('01100+11110= 101010');
  });

  test('parity 1011 -> 1', () => {
    const ex = getTask('parity').fromOperands([[1, 0, 1, 1]]);
    expect(ex.input).toEqual([1, 0, 1, 1, 2, 3]);
    expect(ex.target).toEqual([0, 1, 1, 2, 1, 3]);
    expect(ex.mask).toEqual([0, 0, 0, 0, 1, 1]);
    expect(getTask('parity').decodeExample(ex)).toBe('1011= 1');
  });

  test('copy 101 -> 101', () => {
    const ex = getTask('copy').fromOperands([[1, 0, 1]]);
    expect(ex.input).toEqual([1, 0, 1, 2, 3, 3, 3, 3, 3, 3]);
    expect(ex.target).toEqual([0, 1, 2, 1, 0, 1, 3, 3, 3, 3]);
    expect(ex.mask).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
  });

  test('binary-sum 110111 -> five ones -> 101 LSB first', () => {
    const ex = getTask('binary-sum').fromOperands([[1, 1, 0, 1, 1, 1]]);
    // maxLen 8 + 7 = 15 positions.
    expect(ex.input).toEqual([1, 1, 0, 1, 1, 1, 5, ...pads(8)]);
    expect(ex.target).toEqual([1, 0, 1, 1, 1, 5, 1, 0, 1, ...pads(6)]);
    expect(ex.mask).toEqual([...zeros(6), ...ones(9)]);
  });

  test('binary-sum 100000 -> 1 (single bit) and 0000 -> empty answer', () => {
    const one = getTask('binary-sum').fromOperands([[1, 0, 0, 0, 0, 0]]);
    expect(one.target.slice(6)).toEqual([1, ...pads(8)]);
    const ex = getTask('binary-sum').fromOperands([[0, 0, 0, 0]]);
    expect(ex.input).toEqual([0, 0, 0, 0, 5, ...pads(8)]);
    expect(ex.target).toEqual([0, 0, 0, 5, ...pads(9)]);
    expect(ex.mask).toEqual([...zeros(4), ...ones(9)]);
  });

  test('unique-set 7 3 7 49 3 -> 7 3 49', () => {
    const ex = getTask('unique-set').fromOperands([[7, 3, 7, 49, 3]]);
    expect(ex.input).toEqual([7, 3, 7, 49, 3, 51, ...pads(8, 53)]);
    expect(ex.target).toEqual([3, 7, 49, 3, 51, 7, 3, 49, ...pads(6, 53)]);
    expect(ex.mask).toEqual([...zeros(5), ...ones(9)]);
    expect(getTask('unique-set').decodeExample(ex)).toBe('7 3 7 49 3 = 7 3 49');
  });

  test('multiplication 11 x 101 = 15 -> 11110 (m+k bits, LSB first)', () => {
    const ex = getTask('multiplication').fromOperands([
      [1, 1],
      [1, 0, 1],
    ]);
    // k = 3: maxLen 5, 4 * 5 = 20 positions.
    expect(ex.input).toEqual([1, 1, 2, 1, 0, 1, 5, ...pads(13)]);
    expect(ex.target).toEqual([1, 2, 1, 0, 1, 5, 1, 1, 1, 1, 0, ...pads(9)]);
    expect(ex.mask).toEqual([...zeros(6), ...ones(14)]);
    expect(ex.length).toBe(3);
    expect(ex.steps).toBe(6);
    expect(getTask('multiplication').decodeExample(ex)).toBe('11x101= 11110');
  });

  test('multiplication keeps trailing zeros: 10 x 1 = 2 -> 010', () => {
    const ex = getTask('multiplication').fromOperands([[1, 0], [1]]);
    expect(ex.target.slice(4, 7)).toEqual([0, 1, 0]);
    expect(ex.target[7]).toBe(3);
  });
});

describe('padded lengths (reference table)', () => {
  const rng = createRng(7);
  test.each([
    ['parity', 20, 42],
    ['copy', 40, 84],
    ['addition', 60, 126],
    ['binary-sum', 27, 49],
    ['unique-set', 40, 84],
    ['multiplication', 80, 168],
  ] as const)('%s: training maxLength 19 -> %i, test length 40 -> %i', (name, train, test) => {
    const task = getTask(name);
    expect(task.batch({ size: 3, maxLength: 19, rng }).shape).toEqual([3, train]);
    expect(task.batch({ size: 3, length: 40, rng }).shape).toEqual([3, test]);
  });

  test('parity at n = maxLength in training: the answer is the last target, no EOS', () => {
    const b = getTask('parity').batch({ size: 50, minLength: 6, maxLength: 6, rng });
    expect(b.shape).toEqual([50, 7]);
    for (let r = 0; r < 50; r++) {
      const row = Array.from(b.input.subarray(r * 7, r * 7 + 7));
      expect(row[6]).toBe(2);
      const xor = row.slice(0, 6).reduce((a, c) => a ^ c, 0);
      expect(b.target[r * 7 + 6]).toBe(xor);
      expect(Array.from(b.mask.subarray(r * 7, r * 7 + 7))).toEqual([0, 0, 0, 0, 0, 0, 1]);
    }
  });

  test('steps and T_max', () => {
    expect(getTask('parity').steps(13)).toBe(13);
    expect(getTask('parity').maxTestSteps(40)).toBe(60);
    expect(getTask('unique-set').maxTestSteps(30)).toBe(60);
    expect(getTask('multiplication').steps(15)).toBe(30);
    expect(getTask('multiplication').steps(15, 1)).toBe(15);
    expect(getTask('multiplication').maxTestSteps(15)).toBe(60);
  });

  test('vocabulary sizes: one-hot width 6, unique-set table 60', () => {
    expect(getTask('addition').vocabSize).toBe(6);
    expect(getTask('unique-set').vocabSize).toBe(60);
    expect(getTask('unique-set').padId).toBe(53);
    expect(getTask('unique-set').eqId).toBe(51);
  });
});
