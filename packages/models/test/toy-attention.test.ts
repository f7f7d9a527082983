import * as tf from '@tensorflow/tfjs';
import { createToyAttention, initBackend, sinusoidalPositions } from '../src';

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

type M = number[][];
const matmul = (a: M, b: M): M => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
const T = (a: M): M => a[0].map((_, j) => a.map((r) => r[j]));
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const reshape = (d: ArrayLike<number>, r: number, c: number): M =>
  Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => d[i * c + j]));

/** Float64 reference of the README equations for one sequence; weights as row-form matrices. */
function refLogits(
  seq: number[],
  emb: M,
  W: { q: M; k: M; v: M; o: M; gz?: number[]; ge?: number[] },
  loops: number,
  d: number,
  positional: 'none' | 'sinusoidal' = 'none',
): number[] {
  const L = seq.length;
  const pos =
    positional === 'sinusoidal'
      ? reshape(sinusoidalPositions(L, d), L, d)
      : Array.from({ length: L }, () => new Array<number>(d).fill(0));
  let E: M = seq.map((tok, i) => emb[tok].map((v, j) => v + pos[i][j]));
  // f(E, z) = (1/L) (z W_Q)(E W_K)^T (E W_V), one row per query
  const f = (E: M, Z: M): M =>
    matmul(
      matmul(matmul(Z, W.q), T(matmul(E, W.k))).map((r) => r.map((v) => v / L)),
      matmul(E, W.v),
    );
  let z: M = [E[L - 1]];
  if (loops === 1) z = f(E, z);
  else {
    for (let k = 0; k < loops; k++) {
      const dz = f(E, z);
      const dE = f(E, E);
      z = z.map((r) => r.map((v, j) => v + sig(W.gz![0]) * dz[0][j]));
      E = E.map((r, i) => r.map((v, j) => v + sig(W.ge![0]) * dE[i][j]));
    }
  }
  return matmul(z, W.o)[0];
}

function weightsOf(m: ReturnType<typeof createToyAttention>, d: number, V: number) {
  const get = (i: number): Float32Array => m.variables[i].dataSync() as Float32Array;
  return {
    q: reshape(get(0), d, d),
    k: reshape(get(1), d, d),
    v: reshape(get(2), d, d),
    o: reshape(get(3), d, V),
    gz: m.variables[4] ? Array.from(get(4)) : undefined,
    ge: m.variables[5] ? Array.from(get(5)) : undefined,
  };
}

describe('toy attention models (Section 3 / Appendix D)', () => {
  const d = 6;
  const V = 3;
  it('parameter counts: Single-Attn 3d^2 + dV; Looped-Attn adds two scalar gates; embeddings are not trainable', () => {
    const s = createToyAttention({ dim: d, vocabSize: V, loops: 1, seed: 1 });
    const l = createToyAttention({ dim: d, vocabSize: V, loops: 3, seed: 1 });
    expect(s.parameterCount()).toBe(3 * d * d + d * V);
    expect(l.parameterCount()).toBe(3 * d * d + d * V + 2);
    expect(l.variables.reduce((a, v) => a + v.size, 0)).toBe(l.parameterCount());
    expect(l.variables.every((v) => v.trainable)).toBe(true);
    expect(
      l.variables.some(
        (v) => v.shape.join() === l.embedding.shape.join() && v.size === V * d && v.name.includes('E'),
      ),
    ).toBe(false);
    s.dispose();
    l.dispose();
  });

  it.each([
    [1, 'none'],
    [3, 'none'],
    [1, 'sinusoidal'],
    [3, 'sinusoidal'],
  ] as const)(
    'loops=%i positional=%s forward matches the float64 reference, also for prefixes longer than training',
    (loops, positional) => {
      const m = createToyAttention({ dim: d, vocabSize: V, loops, seed: 7, positional });
      if (loops > 1) {
        m.variables[4].assign(tf.tensor1d([0.3]));
        m.variables[5].assign(tf.tensor1d([-0.7]));
      }
      const emb = reshape(m.embedding.dataSync(), V, d);
      const W = weightsOf(m, d, V);
      for (const seqs of [
        [
          [0, 1, 2],
          [2, 2, 1],
        ],
        [[0, 1, 2, 1, 0, 0, 2]],
      ]) {
        const out = m.forward(tf.tensor2d(seqs, undefined, 'int32')).arraySync();
        seqs.forEach((seq, b) => {
          const ref = refLogits(seq, emb, W, loops, d, positional);
          ref.forEach((v, j) =>
            expect(Math.abs(out[b][j] - v)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))),
          );
        });
      }
      m.dispose();
    },
  );

  it("the paper's models (no positional encoding, the default) see the context as a bag: permuting the tokens before the query changes nothing", () => {
    for (const loops of [1, 3]) {
      const m = createToyAttention({ dim: d, vocabSize: V, loops, seed: 11 });
      expect(m.options.positional).toBe('none');
      const [a, b] = m
        .forward(
          tf.tensor2d(
            [
              [0, 2, 1, 1],
              [2, 1, 0, 1],
            ],
            undefined,
            'int32',
          ),
        )
        .arraySync();
      a.forEach((v, j) => expect(Math.abs(v - b[j])).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
      // The query (last token) is not interchangeable with the others.
      const [c] = m.forward(tf.tensor2d([[0, 2, 1, 2]], undefined, 'int32')).arraySync();
      expect(Math.max(...a.map((v, j) => Math.abs(v - c[j])))).toBeGreaterThan(1e-3);
      m.dispose();
    }
  });

  it('loss gradients (including the gates) match central finite differences of the float64 reference', () => {
    const m = createToyAttention({ dim: d, vocabSize: V, loops: 3, seed: 3 });
    const seqs = [
      [0, 1, 2],
      [2, 0, 0],
      [1, 1, 1],
    ];
    const targets = [2, 1, 0];
    const emb = reshape(m.embedding.dataSync(), V, d);
    const base = weightsOf(m, d, V);
    const refLoss = (W: typeof base): number =>
      seqs.reduce((s, seq, b) => {
        const lg = refLogits(seq, emb, W, 3, d);
        const mx = Math.max(...lg);
        return s + mx + Math.log(lg.reduce((a, v) => a + Math.exp(v - mx), 0)) - lg[targets[b]];
      }, 0) / seqs.length;
    const { value, grads } = tf.variableGrads(
      () => m.loss(tf.tensor2d(seqs, undefined, 'int32'), tf.tensor1d(targets, 'int32')),
      m.variables,
    );
    expect(Math.abs(value.dataSync()[0] - refLoss(base))).toBeLessThan(1e-5 * Math.max(1, refLoss(base)));
    const keys = ['q', 'k', 'v', 'o', 'gz', 'ge'] as const;
    const h = 1e-5;
    m.variables.forEach((v, vi) => {
      const g = grads[v.name].dataSync();
      const key = keys[vi];
      for (const i of new Set([0, Math.floor(v.size / 2), v.size - 1])) {
        const perturb = (delta: number): typeof base => {
          const W = structuredClone(base);
          const target = W[key] as number[][] | number[];
          if (Array.isArray(target[0])) {
            const mat = target as number[][];
            const cols = mat[0].length;
            mat[Math.floor(i / cols)][i % cols] += delta;
          } else (target as number[])[i] += delta;
          return W;
        };
        const fd = (refLoss(perturb(h)) - refLoss(perturb(-h))) / (2 * h);
        expect(Math.abs(g[i] - fd)).toBeLessThan(2e-5 + 2e-3 * Math.abs(fd));
      }
    });
    m.dispose();
  });

  it('trains: Adam lowers the loss of a small next-token task (fixed embeddings stay fixed)', () => {
    const m = createToyAttention({ dim: 8, vocabSize: 3, loops: 3, seed: 5 });
    const embBefore = Array.from(m.embedding.dataSync());
    // next token = previous token + 1 (mod 3)
    const seqs: number[][] = [];
    const targets: number[] = [];
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 3; b++)
        for (let c = 0; c < 3; c++) {
          seqs.push([a, b, c]);
          targets.push((c + 1) % 3);
        }
    const x = tf.tensor2d(seqs, undefined, 'int32');
    const y = tf.tensor1d(targets, 'int32');
    const opt = tf.train.adam(0.05);
    const first = m.loss(x, y).dataSync()[0];
    for (let i = 0; i < 60; i++)
      tf.tidy(() => {
        opt.minimize(() => m.loss(x, y), false, m.variables);
      });
    const last = m.loss(x, y).dataSync()[0];
    expect(last).toBeLessThan(first * 0.5);
    expect(Array.from(m.embedding.dataSync())).toEqual(embBefore);
    m.dispose();
  });

  it('rejects bad options naming the field', () => {
    expect(() => createToyAttention({ dim: 0, vocabSize: 3, seed: 1 })).toThrow(
      /dim must be a positive integer/,
    );
    expect(() => createToyAttention({ dim: 4, vocabSize: 3, seed: 1, gating: 'x' as never })).toThrow(
      /gating/,
    );
  });
});
