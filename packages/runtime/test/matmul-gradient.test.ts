import * as tf from '@tensorflow/tfjs';
import { initBackend, isFastMatMulGradientRegistered, registerFastMatMulGradient } from '../src';

// The stock gradient, captured before initBackend replaces it (jest gives each file its own tfjs).
const stock = tf.getGradient('BatchMatMul');

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

let seed = 12345;
function rand(n: number): Float64Array {
  return Float64Array.from({ length: n }, () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.fround(seed / 4294967296 - 0.5);
  });
}
const T = (x: Float64Array, shape: number[]): tf.Tensor => tf.tensor(Float32Array.from(x), shape);
const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** Float64 op(a) @ op(b) with numpy-style broadcast batch dims; returns data and shape. */
function jsMatMul(
  a: Float64Array,
  as: number[],
  b: Float64Array,
  bs: number[],
  tA: boolean,
  tB: boolean,
): { data: Float64Array; shape: number[] } {
  const ra = as.length;
  const rb = bs.length;
  const [m, k] = tA ? [as[ra - 1], as[ra - 2]] : [as[ra - 2], as[ra - 1]];
  const n = tB ? bs[rb - 2] : bs[rb - 1];
  const ba = as.slice(0, -2);
  const bb = bs.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const pa = [...Array(rank - ba.length).fill(1), ...ba];
  const pb = [...Array(rank - bb.length).fill(1), ...bb];
  const bo = pa.map((d, i) => Math.max(d, pb[i]));
  const out = new Float64Array(prod(bo) * m * n);
  for (let flat = 0; flat < prod(bo); flat++) {
    let rem = flat;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const idx = rem % bo[d];
      rem = Math.floor(rem / bo[d]);
      ia += (pa[d] === 1 ? 0 : idx) * sa;
      ib += (pb[d] === 1 ? 0 : idx) * sb;
      sa *= pa[d];
      sb *= pb[d];
    }
    const A = (i: number, j: number): number => a[ia * m * k + (tA ? j * m + i : i * k + j)];
    const B = (i: number, j: number): number => b[ib * k * n + (tB ? j * k + i : i * n + j)];
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) s += A(i, l) * B(l, j);
        out[flat * m * n + i * n + j] = s;
      }
  }
  return { data: out, shape: [...bo, m, n] };
}

type Case = [string, number[], number[], boolean, boolean];
const cases: Case[] = [
  ['2-D', [3, 4], [4, 5], false, false],
  ['batched', [2, 3, 4], [2, 4, 5], false, false],
  ['broadcast rank-3 x rank-2', [2, 3, 4], [4, 5], false, false],
  ['broadcast b batch 1', [2, 3, 4], [1, 4, 5], false, false],
  ['broadcast a batch 1', [1, 3, 4], [2, 4, 5], false, false],
  ['broadcast rank 4', [2, 3, 3, 4], [1, 1, 4, 2], false, false],
  ['transposeA', [4, 3], [4, 5], true, false],
  ['transposeB', [2, 3, 4], [2, 5, 4], false, true],
  ['transpose both', [2, 4, 3], [2, 5, 4], true, true],
  ['transpose both, broadcast', [2, 4, 3], [5, 4], true, true],
];

describe('registered BatchMatMul gradient', () => {
  it('is registered once by initBackend and registration is idempotent', () => {
    expect(isFastMatMulGradientRegistered()).toBe(true);
    const g = tf.getGradient('BatchMatMul');
    registerFastMatMulGradient();
    expect(tf.getGradient('BatchMatMul')).toBe(g);
    expect(g).not.toBe(stock);
  });

  it.each(cases)('%s: matches central finite differences (float64)', (_n, as, bs, tA, tB) => {
    const a = rand(prod(as));
    const b = rand(prod(bs));
    const outShape = jsMatMul(a, as, b, bs, tA, tB).shape;
    const w = rand(prod(outShape));
    const f = (aa: Float64Array, bb: Float64Array): number =>
      jsMatMul(aa, as, bb, bs, tA, tB).data.reduce((s, v, i) => s + v * w[i], 0);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(x, y, tA, tB), T(w, outShape))),
    )([T(a, as), T(b, bs)]);
    expect(ga.shape).toEqual(as);
    expect(gb.shape).toEqual(bs);
    const h = 1e-4;
    const check = (x: Float64Array, g: tf.Tensor, which: 'a' | 'b'): void => {
      const gd = g.dataSync();
      for (let i = 0; i < x.length; i++) {
        const p = Float64Array.from(x);
        const q = Float64Array.from(x);
        p[i] += h;
        q[i] -= h;
        const fd = which === 'a' ? (f(p, b) - f(q, b)) / (2 * h) : (f(a, p) - f(a, q)) / (2 * h);
        expect(Math.abs(gd[i] - fd)).toBeLessThan(1e-4);
      }
    };
    // the tensors were float32: evaluate FD at the float32-rounded point
    check(a, ga, 'a');
    check(b, gb, 'b');
  });

  it.each(cases.filter(([n]) => !n.includes('broadcast')))(
    '%s: equals the stock tfjs gradient',
    (_n, as, bs, tA, tB) => {
      const a = T(rand(prod(as)), as);
      const b = T(rand(prod(bs)), bs);
      const dy = tf.randomNormal(tf.matMul(a, b, tA, tB).shape, 0, 1, 'float32', 3);
      const attrs = { transposeA: tA, transposeB: tB } as unknown as tf.NamedAttrMap;
      const ours = tf.getGradient('BatchMatMul').gradFunc(dy, [a, b], attrs) as Record<
        string,
        () => tf.Tensor
      >;
      const theirs = stock.gradFunc(dy, [a, b], attrs) as Record<string, () => tf.Tensor>;
      for (const k of ['a', 'b']) {
        const x = ours[k]().dataSync();
        const y = theirs[k]().dataSync();
        for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-5);
      }
    },
  );

  it.each([
    ['2-D', [3, 4], [4, 5]],
    ['broadcast rank-3 x rank-2', [2, 3, 4], [4, 5]],
  ])('%s: twice differentiable (d/dB <V, dL/dA> = closed form)', (_n, as, bs) => {
    // L = sum(W * (A B)) => dL/dA = W B^T (summed over broadcast); <V, dL/dA> differentiated w.r.t. B
    // is sum over the batch of V_b^T W_b for a shared B.
    const A = T(rand(prod(as)), as);
    const B = T(rand(prod(bs)), bs);
    const outShape = tf.matMul(A, B).shape;
    const W = T(rand(prod(outShape)), outShape);
    const V = T(rand(prod(as)), as);
    const inner = (b: tf.Tensor): tf.Tensor =>
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b), W)))(A);
    const second = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(inner(b), V)))(B);
    const expected = tf.sum(
      tf.reshape(
        tf.matMul(
          tf.transpose(tf.reshape(V, [-1, as[as.length - 2], as[as.length - 1]]), [0, 2, 1]),
          tf.reshape(W, [-1, outShape[outShape.length - 2], outShape[outShape.length - 1]]),
        ),
        [-1, bs[0], bs[1]],
      ),
      0,
    );
    const x = second.dataSync();
    const y = expected.dataSync();
    expect(second.shape).toEqual(bs);
    for (let i = 0; i < y.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-5);
  });
});
