import * as tf from '@tensorflow/tfjs';
import { fastGradientsInstalled, initBackend } from '../src';
import { filterTape, type TapeNode } from '../src/tape-gradients';
import { withSwitch } from './helpers/env-switch';

// The fast tape walk against independent oracles: tfjs' own walk (LOOP_FAST_TAPE=0) on real models
// (gradients bit for bit; HVPs to float32 round-off where tfjs' walk is exact, i.e. with Exp and
// Sigmoid gradients that save their input); brute-force graph reachability for the tape filter;
// closed forms where gradient tensors are handed on unchanged (the aliasing the walk must survive)
// and where a kernel's gradient reads its saved output (which tfjs' walk differentiates wrongly);
// float64 finite differences for a custom op that saves its output.

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('filterTape', () => {
  /** A random topologically ordered tape over fake tensors: each node reads 0-3 earlier tensors. */
  function randomTape(seed: number, nodes: number): { tape: TapeNode[]; tensors: tf.Tensor[] } {
    const rnd = lcg(seed);
    const fake = (id: number): tf.Tensor => ({ id }) as unknown as tf.Tensor;
    const tensors: tf.Tensor[] = Array.from({ length: 6 }, (_, i) => fake(i)); // leaves
    const tape: TapeNode[] = [];
    for (let n = 0; n < nodes; n++) {
      const inputs: Record<string, tf.Tensor> = {};
      const k = Math.floor(rnd() * 4);
      for (let j = 0; j < k; j++) inputs[`in${j}`] = tensors[Math.floor(rnd() * tensors.length)]!;
      const outputs: tf.Tensor[] = [];
      for (let j = 1 + Math.floor(rnd() * 2); j > 0; j--) {
        const t = fake(tensors.length);
        tensors.push(t);
        outputs.push(t);
      }
      tape.push({ id: 1000 + n, kernelName: `k${n}`, inputs, outputs });
    }
    return { tape, tensors };
  }

  /** Plain reachability over the whole graph, memoised recursion (no tape-order sweeps). */
  function bruteForce(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): { id: number; inputs: string[] }[] {
    const producer = new Map<number, TapeNode>();
    for (const n of tape) for (const o of n.outputs) producer.set(o.id, n);
    const fromX = new Map<number, boolean>();
    const dependsOnX = (id: number): boolean => {
      if (xs.some((x) => x.id === id)) return true;
      if (fromX.has(id)) return fromX.get(id)!;
      const p = producer.get(id);
      const r = p !== undefined && Object.values(p.inputs).some((t) => dependsOnX(t.id));
      fromX.set(id, r);
      return r;
    };
    const toY = new Map<number, boolean>();
    const leadsToY = (id: number): boolean => {
      if (id === y.id) return true;
      if (toY.has(id)) return toY.get(id)!;
      const r = tape.some(
        (n) => Object.values(n.inputs).some((t) => t.id === id) && n.outputs.some((o) => leadsToY(o.id)),
      );
      toY.set(id, r);
      return r;
    };
    return tape
      .filter(
        (n) => Object.values(n.inputs).some((t) => dependsOnX(t.id)) && n.outputs.some((o) => leadsToY(o.id)),
      )
      .map((n) => ({
        id: n.id,
        inputs: Object.keys(n.inputs).filter((k) => dependsOnX(n.inputs[k]!.id)),
      }));
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('keeps the nodes on paths from xs to y (random tape %i)', (seed) => {
    const { tape, tensors } = randomTape(seed, 60);
    const rnd = lcg(seed + 100);
    const xs = [tensors[Math.floor(rnd() * 6)]!, tensors[6 + Math.floor(rnd() * 20)]!];
    const y = tensors[tensors.length - 1 - Math.floor(rnd() * 10)]!;
    const got = filterTape(tape, xs, y).map((n) => ({ id: n.id, inputs: Object.keys(n.inputs) }));
    expect(got).toEqual(bruteForce(tape, xs, y));
    // the tape itself is left as it was (copies are pruned, not the nodes)
    expect(tape.every((n) => Object.keys(n.inputs).length <= 3)).toBe(true);
  });
});

describe('fast tape walk', () => {
  it('is installed by initBackend', () => {
    expect(fastGradientsInstalled()).toBe(true);
  });

  it('gives each x its own gradient tensor and never hands back the caller dy', () => {
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor1d([3, 4]);
    const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.add(p, q)))([a, b]);
    expect(ga).not.toBe(gb);
    ga!.dispose();
    expect(Array.from(gb!.dataSync())).toEqual([1, 1]);
    const dy = tf.tensor1d([5, 7]);
    const g = tf.grad((p: tf.Tensor) => tf.add(p, 1))(a, dy);
    expect(g).not.toBe(dy);
    g.dispose();
    expect(Array.from(dy.dataSync())).toEqual([5, 7]);
    tf.dispose([a, b, gb!, dy]);
  });

  it('adds contributions to a gradient that is also another tensor gradient (closed form)', () => {
    // f = sum((x + c) + (x - 2x) + x): every Add/Sub hands dy on; x collects 1 + 1 - 2 + 1 = 1 from
    // four paths whose running sums share tensors with the outputs' gradients.
    const x = tf.tensor1d([0.5, -1, 3]);
    const c = tf.tensor1d([1, 2, 3]);
    const w = tf.tensor1d([2, -3, 5]);
    const f = (t: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(w, tf.add(tf.add(tf.add(t, c), tf.sub(t, tf.mul(t, 2))), t)));
    const before = tf.memory().numTensors;
    const g = tf.grad(f)(x);
    expect(Array.from(g.dataSync())).toEqual([2, -3, 5]);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, c, w]);
  });

  it('differentiates a second and third time through the saved copies (closed forms)', () => {
    // f = sum(x^4 - x * x + (x - x)): f' = 4x^3 - 2x, f'' = 12x^2 - 2, f''' = 24x
    const x = tf.tensor1d([0.5, -1, 2]);
    const f = (t: tf.Tensor): tf.Scalar =>
      tf.sum(tf.add(tf.sub(tf.mul(tf.mul(t, t), tf.mul(t, t)), tf.mul(t, t)), tf.sub(t, t)));
    const d1 = tf.grad(f);
    const d2 = tf.grad((t: tf.Tensor) => tf.sum(d1(t)));
    const d3 = tf.grad((t: tf.Tensor) => tf.sum(d2(t)));
    const close = (t: tf.Tensor, want: number[]): void =>
      Array.from(t.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    const xs = [0.5, -1, 2];
    const before = tf.memory().numTensors;
    const [g1, g2, g3] = [d1(x), d2(x), d3(x)];
    close(
      g1,
      xs.map((v) => 4 * v ** 3 - 2 * v),
    );
    close(
      g2,
      xs.map((v) => 12 * v ** 2 - 2),
    );
    close(
      g3,
      xs.map((v) => 24 * v),
    );
    tf.dispose([g1, g2, g3]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it("differentiates through a kernel's saved output, which tfjs' walk misses (closed form)", () => {
    // f = sum(w exp(x)): H = diag(w exp(x)). The stock Exp gradient reads its saved output y; tfjs'
    // walk puts the copy of y on the tape before y's own node, so the copy's gradient never reaches
    // x: here it finds no path at all and throws (why @loop/hessian re-registers such gradients).
    // The walk here treats the copy as y itself.
    const x = tf.tensor1d([0.5, -1, 2]);
    const w = tf.tensor1d([1, -2, 0.25]);
    const v = tf.tensor1d([3, 1, -4]);
    const f = (y: tf.Tensor): tf.Tensor => tf.sum(tf.mul(w, tf.exp(y)));
    const hvpOf = (): number[] =>
      tf.tidy(() =>
        Array.from(
          tf
            .grad((y: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(y), v)))(x)
            .dataSync(),
        ),
      );
    const want = [0.5, -1, 2].map((a, i) => Math.fround([1, -2, 0.25][i]! * Math.exp(a) * [3, 1, -4][i]!));
    hvpOf().forEach((h, i) => expect(h).toBeCloseTo(want[i]!, 4));
    expect(() => withSwitch('LOOP_FAST_TAPE', false, hvpOf)).toThrow(/Cannot compute gradient/);
    tf.dispose([x, w, v]);
  });

  it('differentiates twice through a custom op that saves its output (tf.logSoftmax, float64 finite differences)', () => {
    // f(z) = logSoftmax(z * z)[0]; tf.logSoftmax is a customGrad op whose gradient reads its output
    const z = [0.5, -1, 2];
    const dir = [1, 2, 3];
    const f64 = (p: number[]): number => {
      const y = p.map((a) => a * a);
      const m = Math.max(...y);
      return y[0]! - m - Math.log(y.reduce((s, a) => s + Math.exp(a - m), 0));
    };
    const grad64 = (p: number[]): number[] =>
      p.map((_, i) => {
        const h = 1e-5;
        const a = p.slice();
        const b = p.slice();
        a[i]! += h;
        b[i]! -= h;
        return (f64(a) - f64(b)) / (2 * h);
      });
    const e = 1e-4;
    const gp = grad64(z.map((a, i) => a + e * dir[i]!));
    const gm = grad64(z.map((a, i) => a - e * dir[i]!));
    const want = gp.map((a, i) => (a - gm[i]!) / (2 * e));
    const x = tf.tensor1d(z);
    const v = tf.tensor1d(dir);
    const pick = tf.tensor1d([1, 0, 0]);
    const f = (y: tf.Tensor): tf.Tensor => tf.sum(tf.mul(pick, tf.logSoftmax(tf.mul(y, y))));
    const hv = tf.tidy(() =>
      Array.from(
        tf
          .grad((y: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(y), v)))(x)
          .dataSync(),
      ),
    );
    hv.forEach((h, i) => expect(Math.abs(h - want[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(want[i]!))));
    tf.dispose([x, v, pick]);
  });

  it('says which gradient is missing as tfjs does', () => {
    const x = tf.scalar(2);
    const c = tf.scalar(3);
    expect(() => tf.grad(() => tf.mul(c, c))(x)).toThrow(/Cannot compute gradient of y=f\(x\)/);
    tf.dispose([x, c]);
  });
});
