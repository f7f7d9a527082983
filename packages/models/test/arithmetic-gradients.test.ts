import * as tf from '@tensorflow/tfjs';
import { arithmeticGradientsRegistered, initBackend } from '../src';

// The lean Multiply gradient against a brute-force oracle: for f = sum(w * (a * b)) with
// broadcasting, df/da[i] = sum over every output position that reads a[i] of w * b (and vice versa).

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

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

describe('Multiply gradient', () => {
  it('is registered by initBackend', () => {
    expect(arithmeticGradientsRegistered()).toBe(true);
  });

  it.each([
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
  ])('a %j times b %j matches brute force', (aShape, bShape) => {
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
