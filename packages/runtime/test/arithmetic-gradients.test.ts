import * as tf from '@tensorflow/tfjs';
import { arithmeticGradientsRegistered, initBackend } from '../src';

// The lean gradients against brute-force oracles. Multiply: for f = sum(w * (a * b)) with
// broadcasting, df/da[i] = sum over every output position that reads a[i] of w * b (and vice versa).
// Sum, Mean, Tile: for f = sum(w * op(x)), df/dx[i] = sum of w over the output positions that read
// x[i] (divided by the count for Mean), found by enumerating the output positions.

function strides(shape: number[]): number[] {
  return shape.map((_, d) => shape.slice(d + 1).reduce((p, q) => p * q, 1));
}

/** Index into an input of shape `inShape` (right-aligned broadcast) for output multi-index `idx`. */
function inputOffset(idx: number[], inShape: number[]): number {
  const lead = idx.length - inShape.length;
  const st = strides(inShape);
  let off = 0;
  for (let d = 0; d < inShape.length; d++)
    off += (inShape[d] === 1 ? 0 : (idx[d + lead] as number)) * (st[d] as number);
  return off;
}

function bruteGrads(
  a: number[],
  aShape: number[],
  b: number[],
  bShape: number[],
  w: number[],
  outShape: number[],
) {
  const ga = new Array<number>(a.length).fill(0);
  const gb = new Array<number>(b.length).fill(0);
  const ost = strides(outShape);
  for (let flat = 0; flat < w.length; flat++) {
    const idx = outShape.map((s, d) => Math.floor(flat / (ost[d] as number)) % s);
    const ia = inputOffset(idx, aShape);
    const ib = inputOffset(idx, bShape);
    ga[ia] = (ga[ia] as number) + (w[flat] as number) * (b[ib] as number);
    gb[ib] = (gb[ib] as number) + (w[flat] as number) * (a[ia] as number);
  }
  return { ga, gb };
}

const vals = (n: number, s: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(s + 1.3 * i));

/** Operand shapes of the binary-op tests: equal, broadcast either way, scalar. */
const BROADCAST_PAIRS: [number[], number[]][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3], [3]],
  [
    [4, 1, 3],
    [2, 1],
  ],
  [[3], []],
  [
    [1, 5],
    [4, 1],
  ],
];

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

/** Offsets into x (shape `shape`) read by each output position of sum/mean over `axes` (keepDims false). */
function reductionReaders(shape: number[], axes: number[]): number[][] {
  const st = strides(shape);
  const outShape = shape.filter((_, d) => !axes.includes(d));
  const outSize = outShape.reduce((p, q) => p * q, 1);
  const readers: number[][] = Array.from({ length: outSize }, () => []);
  const total = shape.reduce((p, q) => p * q, 1);
  for (let flat = 0; flat < total; flat++) {
    const idx = shape.map((s, d) => Math.floor(flat / (st[d] as number)) % s);
    let o = 0;
    for (let d = 0; d < shape.length; d++)
      if (!axes.includes(d)) o = o * (shape[d] as number) + (idx[d] as number);
    readers[o]!.push(flat);
  }
  return readers;
}

describe('Sum, Mean and Tile gradients', () => {
  it.each([
    [[2, 3], [0]],
    [[2, 3], [1]],
    [[672, 4], [0]],
    [
      [2, 3, 4],
      [0, 2],
    ],
    [
      [2, 3, 4],
      [0, 1, 2],
    ],
    [[5], [0]],
  ])('sum and mean of %j over %j match brute force', (shape, axes) => {
    const n = shape.reduce((p, q) => p * q, 1);
    const readers = reductionReaders(shape, axes);
    const wv = vals(readers.length, 4);
    const w = tf.tensor(
      wv,
      shape.filter((_, d) => !axes.includes(d)),
    );
    const x = tf.tensor(vals(n, 5), shape);
    const want = new Array<number>(n).fill(0);
    readers.forEach((r, o) => r.forEach((i) => (want[i] = (want[i] as number) + (wv[o] as number))));
    const gs = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(w, tf.sum(y, axes))))(x);
    const gm = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(w, tf.mean(y, axes))))(x);
    const count = n / readers.length;
    expect(gs.shape).toEqual(shape);
    Array.from(gs.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i] as number, 5));
    Array.from(gm.dataSync()).forEach((g, i) => expect(g).toBeCloseTo((want[i] as number) / count, 5));
    tf.dispose([w, x, gs, gm]);
  });

  it.each([
    [[3], [4]],
    [
      [3, 1],
      [1, 5],
    ],
    [
      [2, 3],
      [2, 2],
    ],
    [
      [2, 1, 3],
      [3, 4, 1],
    ],
    [
      [2, 2],
      [1, 1],
    ],
    [
      [1, 2, 1, 2, 1],
      [2, 1, 3, 1, 2],
    ],
  ])('tile of %j by %j matches brute force', (shape, reps) => {
    const n = shape.reduce((p, q) => p * q, 1);
    const outShape = shape.map((d, i) => d * (reps[i] as number));
    const outSize = outShape.reduce((p, q) => p * q, 1);
    const wv = vals(outSize, 6);
    const ost = strides(outShape);
    const st = strides(shape);
    const want = new Array<number>(n).fill(0);
    for (let flat = 0; flat < outSize; flat++) {
      const idx = outShape.map((s, d) => Math.floor(flat / (ost[d] as number)) % s);
      const src = idx.reduce((o, i, d) => o + (i % (shape[d] as number)) * (st[d] as number), 0);
      want[src] = (want[src] as number) + (wv[flat] as number);
    }
    const w = tf.tensor(wv, outShape);
    const x = tf.tensor(vals(n, 7), shape);
    const g = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(w, tf.tile(y, reps))))(x);
    expect(g.shape).toEqual(shape);
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 5));
    tf.dispose([w, x, g]);
  });

  it('second order: the Hessian of sum_j (sum_i x_ij)^2 is block-constant 2 (and 2/n^2 for the mean)', () => {
    // f(x) = sum over columns j of (column sum)^2: H[(i,j),(k,l)] = 2 [j = l]. (H v)_(i,j) = 2 * colsum_j(v).
    const x = tf.tensor2d([0.5, -1, 2, 3, 1, -2], [3, 2]);
    const v = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const hvOf = (f: (y: tf.Tensor) => tf.Scalar): number[] =>
      Array.from(
        tf
          .grad((y: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(y), v)))(x)
          .dataSync(),
      );
    expect(hvOf((y) => tf.sum(tf.square(tf.sum(y, 0))))).toEqual([18, 24, 18, 24, 18, 24]);
    const mean = hvOf((y) => tf.sum(tf.square(tf.mean(y, 0))));
    [2, 8 / 3, 2, 8 / 3, 2, 8 / 3].forEach((h, i) => expect(mean[i]).toBeCloseTo(h, 5));
    // through Tile: f = sum(tile(x, [1, 2])^2) = 2 sum(x^2), so H v = 4 v
    expect(hvOf((y) => tf.sum(tf.square(tf.tile(y, [1, 2]))))).toEqual([4, 8, 12, 16, 20, 24]);
    tf.dispose([x, v]);
  });

  it('build no tensor of ones in JavaScript', async () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const prof = await tf.profile(() => tf.grad((y: tf.Tensor) => tf.sum(tf.mean(y, 1)))(x));
    // the stock gradients multiply dy by ones(x.shape): a Multiply kernel per reduction
    expect(prof.kernelNames).not.toContain('Multiply');
    tf.dispose(x);
  });
});

describe('Multiply gradient', () => {
  it('is registered by initBackend', () => {
    expect(arithmeticGradientsRegistered()).toBe(true);
  });

  it.each(BROADCAST_PAIRS)('a %j times b %j matches brute force', (aShape, bShape) => {
    const size = (s: number[]) => s.reduce((p, q) => p * q, 1);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
    const av = vals(size(aShape), 1);
    const bv = vals(size(bShape), 2);
    const wv = vals(size(outShape), 3);
    const a = tf.tensor(av, aShape);
    const b = tf.tensor(bv, bShape);
    const w = tf.tensor(wv, outShape);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, tf.mul(x, y))))([a, b]);
    const want = bruteGrads(av, aShape, bv, bShape, wv, outShape);
    expect(ga!.shape).toEqual(aShape);
    expect(gb!.shape).toEqual(bShape);
    Array.from(ga!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(want.ga[i] as number, 5));
    Array.from(gb!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(want.gb[i] as number, 5));
    tf.dispose([a, b, w, ga!, gb!]);
  });

  it('runs no Cast kernel for float32 operands, and still handles an int32 one', async () => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor2d([5, 6, 7, 8], [2, 2]);
    const prof = await tf.profile(() =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(x, y)))([a, b]),
    );
    expect(prof.kernelNames).not.toContain('Cast');
    const k = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, k)))(a);
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([a, b, k, g]);
  });

  it('second order: the Hessian of sum(a * a * b) in a is diag(2 b)', () => {
    const a = tf.tensor1d([0.5, -1, 2]);
    const b = tf.tensor1d([3, 4, -2]);
    const v = tf.tensor1d([1, 2, 3]);
    // H v = gradient of <grad f, v>
    const hv = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.mul(y, y), b)))(x), v)),
    )(a);
    expect(Array.from(hv.dataSync())).toEqual([6, 16, -12]);
    tf.dispose([a, b, v, hv]);
  });
});

describe('Add and Sub gradients', () => {
  it.each(BROADCAST_PAIRS)('a %j plus and minus b %j match brute force', (aShape, bShape) => {
    // f = sum(w * (a +- b)): df/da[i] = the sum of w over the output positions that read a[i], which
    // is the Multiply oracle's df/da with b = 1; df/db likewise, negated for a - b.
    const size = (s: number[]) => s.reduce((p, q) => p * q, 1);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
    const wv = vals(size(outShape), 3);
    const ones = (s: number[]) => new Array<number>(size(s)).fill(1);
    const want = bruteGrads(ones(aShape), aShape, ones(bShape), bShape, wv, outShape);
    const a = tf.tensor(vals(size(aShape), 1), aShape);
    const b = tf.tensor(vals(size(bShape), 2), bShape);
    const w = tf.tensor(wv, outShape);
    const [pa, pb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, tf.add(x, y))))([a, b]);
    const [sa, sb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, tf.sub(x, y))))([a, b]);
    const check = (g: tf.Tensor, shape: number[], oracle: number[], sign: number): void => {
      expect(g.shape).toEqual(shape);
      Array.from(g.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(sign * (oracle[i] as number), 5));
    };
    check(pa!, aShape, want.ga, 1);
    check(pb!, bShape, want.gb, 1);
    check(sa!, aShape, want.ga, 1);
    check(sb!, bShape, want.gb, -1);
    tf.dispose([a, b, w, pa!, pb!, sa!, sb!]);
  });

  it('hand dy on without a kernel where nothing is broadcast', async () => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor2d([5, 6, 7, 8], [2, 2]);
    const reshapes = async (): Promise<number> =>
      (
        await tf.profile(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.add(x, y)))([a, b]))
      ).kernels.filter((k) => k.name === 'Reshape').length;
    const fast = await reshapes();
    process.env.LOOP_FAST_TAPE = '0'; // tfjs' own tape walk: the Add gradient reshapes dy per input
    try {
      expect(await reshapes()).toBe(fast + 2);
    } finally {
      delete process.env.LOOP_FAST_TAPE;
    }
    tf.dispose([a, b]);
  });
});

describe('AddN gradient and gradient sums', () => {
  it('closed forms to second order: f = sum(w * addN([x * x, 3 x, x])) has grad w (2x + 4), H v = 2 w v', () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const w = tf.tensor1d([1, -2, 0.25]);
    const v = tf.tensor1d([3, 1, -4]);
    const f = (y: tf.Tensor): tf.Tensor => tf.sum(tf.mul(w, tf.addN([tf.mul(y, y), tf.mul(y, 3), y])));
    const g = tf.grad(f)(x);
    expect(Array.from(g.dataSync())).toEqual([5, -4, 2]);
    const hv = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(y), v)))(x);
    expect(Array.from(hv.dataSync())).toEqual([6, -4, -2]);
    tf.dispose([x, w, v, g, hv]);
  });

  it("hands dy on (no Identity kernel per input), and sums a tensor's contributions with one AddN", async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const kernels = async (f: (y: tf.Tensor) => tf.Tensor): Promise<string[]> =>
      (await tf.profile(() => tf.grad(f)(x))).kernels.map((k) => k.name);
    const viaAddN = await kernels((y) => tf.sum(tf.addN([y, y, y])));
    expect(viaAddN.filter((k) => k === 'Identity')).toEqual([]);
    // x read by four kernels: its four contributions summed once (tfjs' walk: three Adds)
    const fourUses = (y: tf.Tensor): tf.Tensor =>
      tf.sum(tf.mul(tf.mul(tf.exp(y), tf.sin(y)), tf.mul(y, tf.cos(y))));
    const fast = await kernels(fourUses);
    expect(fast.filter((k) => k === 'AddN')).toHaveLength(1);
    expect(fast.filter((k) => k === 'Add')).toHaveLength(0);
    process.env.LOOP_FAST_TAPE = '0';
    let stockGrad: tf.Tensor;
    try {
      const stock = await kernels(fourUses);
      expect(stock.filter((k) => k === 'Add')).toHaveLength(3);
      stockGrad = tf.grad(fourUses)(x);
    } finally {
      delete process.env.LOOP_FAST_TAPE;
    }
    // the same contributions added in the same order: bitwise
    const fastGrad = tf.grad(fourUses)(x);
    expect(Array.from(fastGrad.dataSync())).toEqual(Array.from(stockGrad.dataSync()));
    tf.dispose([stockGrad, fastGrad]);
    x.dispose();
  });
});
