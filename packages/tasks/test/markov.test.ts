// Markov language: probabilities by hand-written products, exact sums, oversampling frequencies
// (chi-square), split sizes, Bayes-optimal predictions by brute-force conditioning, Table-1 sets.
import { createRng, markovLanguage, DEFAULT_MARKOV_ALPHA, MAX_MARKOV_ENUMERATION } from '../src';

const lang = markovLanguage({ seed: 3 });

/** All sequences of length len over {0..V-1}, built independently of src/. */
function allSequences(V: number, len: number): number[][] {
  let out: number[][] = [[]];
  for (let t = 0; t < len; t++) out = out.flatMap((s) => Array.from({ length: V }, (_, x) => [...s, x]));
  return out;
}

/** p(x) = (1/V) * prod_t P_{t mod K}[x_t][x_{t+1}] written out directly. */
function pByHand(seq: number[], V = 3): number {
  let p = 1 / V;
  for (let t = 0; t + 1 < seq.length; t++)
    p *= lang.transitions[t % lang.transitions.length][seq[t]][seq[t + 1]];
  return p;
}

test('shape: uniform initial distribution, 3 stochastic 3x3 matrices for length 4', () => {
  expect(lang.initial).toEqual([1 / 3, 1 / 3, 1 / 3]);
  expect(lang.transitions).toHaveLength(3);
  for (const m of lang.transitions) {
    expect(m).toHaveLength(3);
    for (const row of m) {
      expect(row).toHaveLength(3);
      row.forEach((x) => expect(x).toBeGreaterThan(0));
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    }
  }
  // Distinct, seeded matrices.
  expect(lang.transitions[0]).not.toEqual(lang.transitions[1]);
  expect(markovLanguage({ seed: 3 }).transitions).toEqual(lang.transitions);
  expect(markovLanguage({ seed: 4 }).transitions).not.toEqual(lang.transitions);
});

test.each([1, 2, 4, 5, 7])('enumerated probabilities of length %i sum to 1 within 1e-12', (len) => {
  const all = lang.enumerate(len);
  expect(all).toHaveLength(3 ** len);
  expect(all.map((s) => s.sequence)).toEqual(allSequences(3, len));
  const total = all.reduce((a, s) => a + s.probability, 0);
  expect(Math.abs(total - 1)).toBeLessThan(1e-12);
});

test('probability and IC match the hand-written product, cyclic beyond length 4', () => {
  for (const len of [4, 6, 8]) {
    const rng = createRng(len);
    for (let i = 0; i < 50; i++) {
      const seq = Array.from({ length: len }, () => rng.int(0, 2));
      const p = pByHand(seq);
      expect(lang.probability(seq)).toBeCloseTo(p, 14);
      expect(Math.abs(lang.informationContent(seq) + Math.log(p))).toBeLessThan(1e-12);
    }
  }
  // Length 7 uses matrices 0,1,2,0,1,2: written out in full for one sequence.
  const [A, B, C] = lang.transitions as [number[][], number[][], number[][]];
  const s = [2, 0, 1, 1, 2, 2, 0];
  const p = (1 / 3) * A[2][0] * B[0][1] * C[1][1] * A[1][2] * B[2][2] * C[2][0];
  expect(lang.probability(s) / p).toBeCloseTo(1, 12);
  expect(lang.transitionAt(3)).toBe(A);
  expect(lang.transitionAt(5)).toBe(C);
});

test('oversampling frequencies converge to p^alpha / Z (chi-square, 80 df)', () => {
  const alpha = 1.5;
  const small = markovLanguage({ seed: 3, alpha });
  const N = 200_000;
  const ds = small.dataset({ size: N, rng: createRng(1), includeAll: false });
  const all = allSequences(3, 4);
  const w = all.map((s) => pByHand(s) ** alpha);
  const Z = w.reduce((a, b) => a + b, 0);
  const counts = new Map<string, number>();
  for (const s of ds.sequences) counts.set(s.join(''), (counts.get(s.join('')) ?? 0) + 1);
  // Pool cells with expected count < 5 into one (standard chi-square practice).
  let chi2 = 0;
  let cells = 0;
  let poolObs = 0;
  let poolExp = 0;
  all.forEach((s, i) => {
    const e = (N * w[i]) / Z;
    const o = counts.get(s.join('')) ?? 0;
    if (e < 5) {
      poolObs += o;
      poolExp += e;
    } else {
      chi2 += (o - e) ** 2 / e;
      cells++;
    }
  });
  if (poolExp > 0) {
    chi2 += (poolObs - poolExp) ** 2 / poolExp;
    cells++;
  }
  // Critical value for p = 0.001 with df = cells - 1 <= 80 is below 125.
  expect(cells).toBeGreaterThan(20);
  expect(chi2).toBeLessThan(125);
});

test('training dataset: every sequence once, the rest oversampled; arrays consistent', () => {
  const ds = lang.dataset({ size: 1000, rng: createRng(2) });
  expect(ds.size).toBe(1000);
  expect(ds.alpha).toBe(DEFAULT_MARKOV_ALPHA);
  expect(new Set(ds.sequences.map((s) => s.join(''))).size).toBe(81);
  ds.sequences.forEach((s, i) => {
    expect(ds.ic[i]).toBeCloseTo(-Math.log(pByHand(s)), 12);
    expect(Array.from(ds.tokens.subarray(i * 4, i * 4 + 4))).toEqual(s);
    expect(Array.from(ds.input.subarray(i * 3, i * 3 + 3))).toEqual(s.slice(0, 3));
    expect(ds.target[i]).toBe(s[3]);
  });
  // Long tail: the most frequent sequence is far more common than the rarest.
  const counts = new Map<string, number>();
  for (const s of ds.sequences) counts.set(s.join(''), (counts.get(s.join('')) ?? 0) + 1);
  expect(Math.max(...counts.values())).toBeGreaterThan(20 * Math.min(...counts.values()));
});

test('split by distinct sequences (default): 32 / 17 / 32 of the 81 patterns by IC', () => {
  const ds = lang.dataset({ size: 3000, rng: createRng(4) });
  const sp = lang.split(ds);
  expect(sp.by).toBe('sequences');
  expect(sp.units).toEqual({ simple: 32, middle: 17, complex: 32 });
  // Oracle: rank the 81 sequences by hand-computed IC.
  const ranked = allSequences(3, 4)
    .map((s) => ({ key: s.join(','), ic: -Math.log(pByHand(s)) }))
    .sort((a, b) => a.ic - b.ic);
  const simpleKeys = new Set(ranked.slice(0, 32).map((r) => r.key));
  const complexKeys = new Set(ranked.slice(49).map((r) => r.key));
  ds.sequences.forEach((s, i) => {
    const key = s.join(',');
    const group = simpleKeys.has(key) ? sp.simple : complexKeys.has(key) ? sp.complex : sp.middle;
    expect(group).toContain(i);
  });
  expect(sp.simple.length + sp.middle.length + sp.complex.length).toBe(3000);
  expect(sp.simpleMaxIC).toBeCloseTo(ranked[31]!.ic, 12);
  expect(sp.complexMinIC).toBeCloseTo(ranked[49]!.ic, 12);
  // Simple patterns are abundant, complex ones rare (long tail).
  expect(sp.simple.length).toBeGreaterThan(5 * sp.complex.length);
});

test('split by examples: lowest 40% / highest 40% of the example counts', () => {
  const ds = lang.dataset({ size: 1001, rng: createRng(4) });
  const sp = lang.split(ds, { by: 'examples' });
  expect(sp.simple).toHaveLength(400);
  expect(sp.complex).toHaveLength(400);
  expect(sp.middle).toHaveLength(201);
  expect(new Set([...sp.simple, ...sp.middle, ...sp.complex]).size).toBe(1001);
  const maxSimple = Math.max(...sp.simple.map((i) => ds.ic[i]!));
  const minMiddle = Math.min(...sp.middle.map((i) => ds.ic[i]!));
  const maxMiddle = Math.max(...sp.middle.map((i) => ds.ic[i]!));
  const minComplex = Math.min(...sp.complex.map((i) => ds.ic[i]!));
  expect(maxSimple).toBeLessThanOrEqual(minMiddle);
  expect(maxMiddle).toBeLessThanOrEqual(minComplex);
  const custom = lang.split([5, 1, 4, 2, 3], { simple: 0.2, complex: 0.4, by: 'examples' });
  expect(custom).toMatchObject({ simple: [1], middle: [3, 4], complex: [0, 2] });
  // Plain IC arrays split by distinct values by default: copies stay together.
  expect(lang.split([2, 1, 2, 3, 1, 9, 9])).toMatchObject({
    simple: [1, 4],
    middle: [0, 2, 3],
    complex: [5, 6],
  });
});

test('Bayes-optimal prediction equals brute-force conditioning on the full prefix', () => {
  for (const len of [4, 6]) {
    const all = allSequences(3, len - 1);
    for (const prefix of all) {
      const joint = [0, 1, 2].map((x) => pByHand([...prefix, x]));
      const z = joint.reduce((a, b) => a + b, 0);
      const cond = joint.map((j) => j / z);
      const best = cond.indexOf(Math.max(...cond));
      const got = lang.bayesOptimal(prefix);
      expect(got.token).toBe(best);
      expect(got.probability).toBeCloseTo(cond[best], 12);
    }
  }
});

test('Bayes accuracy on a set and exact expected accuracy under p^alpha', () => {
  const seqs = [
    [0, 1, 2, 0],
    [1, 1, 1, 1],
    [2, 2, 0, 1],
  ];
  const hits = seqs.filter((s) => {
    const row = lang.transitions[2][s[2]];
    return row.indexOf(Math.max(...row)) === s[3];
  }).length;
  expect(lang.bayesOptimalAccuracy(seqs)).toBeCloseTo(hits / 3, 15);
  for (const alpha of [0, 1, DEFAULT_MARKOV_ALPHA]) {
    const all = allSequences(3, 4);
    const w = all.map((s) => pByHand(s) ** alpha);
    const Z = w.reduce((a, b) => a + b, 0);
    let acc = 0;
    all.forEach((s, i) => {
      const row = lang.transitions[2][s[2]];
      if (row.indexOf(Math.max(...row)) === s[3]) acc += w[i] / Z;
    });
    expect(lang.expectedBayesAccuracy({ alpha })).toBeCloseTo(acc, 12);
  }
  // The empirical accuracy of a large sample converges to the expectation (binomial 5 sd).
  const ds = lang.dataset({ size: 20_000, rng: createRng(6), includeAll: false });
  const e = lang.expectedBayesAccuracy();
  expect(Math.abs(lang.bayesOptimalAccuracy(ds) - e)).toBeLessThan(5 * Math.sqrt((e * (1 - e)) / 20_000));
});

test('length-generalization sets: threshold = max training IC, simple counts, independent per length', () => {
  const sets = lang.lengthGeneralizationSets({ size: 500, rng: createRng(10) });
  expect(sets.map((s) => s.length)).toEqual([4, 5, 6, 7, 8]);
  const thr = Math.max(...allSequences(3, 4).map((s) => -Math.log(pByHand(s))));
  for (const s of sets) {
    expect(s.threshold).toBeCloseTo(thr, 12);
    expect(s.dataset.size).toBe(500);
    s.dataset.sequences.forEach((q) => expect(q).toHaveLength(s.length));
    const simple = s.dataset.sequences.filter((q) => -Math.log(pByHand(q)) <= thr + 1e-12).length;
    expect(s.simpleCount).toBe(simple);
    expect(s.simpleFraction).toBe(simple / 500);
  }
  expect(sets[0].simpleCount).toBe(500);
  // Per-length sets come from forked streams: the same whatever other lengths are requested.
  const only6 = lang.lengthGeneralizationSets({ lengths: [6], size: 500, rng: createRng(10) });
  expect(only6[0].dataset.sequences).toEqual(sets[2].dataset.sequences);
  // A given training set defines the threshold.
  const train = lang.dataset({ size: 200, rng: createRng(1) });
  const withTrain = lang.lengthGeneralizationSets({ lengths: [5], size: 100, rng: createRng(1), train });
  expect(withTrain[0].threshold).toBe(Math.max(...train.ic));
});

test('determinism and bad input', () => {
  const a = lang.dataset({ size: 300, rng: createRng(5) });
  const b = lang.dataset({ size: 300, rng: createRng(5) });
  const c = lang.dataset({ size: 300, rng: createRng(6) });
  expect(a.sequences).toEqual(b.sequences);
  expect(a.sequences).not.toEqual(c.sequences);
  expect(() => markovLanguage({ alpha: Number.NaN })).toThrow(/alpha must be a finite number >= 0; got NaN/);
  expect(() => markovLanguage({ alpha: Infinity })).toThrow(/alpha/);
  expect(() => markovLanguage({ vocabSize: 1 })).toThrow(/vocabSize must be an integer in \[2, 64\]; got 1/);
  expect(() => lang.enumerate(13)).toThrow(
    new RegExp(`length = 13 .* more than the limit ${MAX_MARKOV_ENUMERATION}; use length <= 12`),
  );
  expect(() => lang.probability([0, 3, 1])).toThrow(/seq\[1\] must be an integer in \[0, 2\]; got 3/);
  expect(() => lang.dataset({ size: 50, rng: createRng(1) })).toThrow(/size must be >= 81/);
  expect(() => lang.dataset({ size: 0, rng: createRng(1) })).toThrow(/size must be an integer in \[1, /);
  expect(() => lang.split([1, 2], { simple: 0.7, complex: 0.5 })).toThrow(
    /simple \+ complex must be <= 1; got 1\.2/,
  );
  expect(() => lang.lengthGeneralizationSets({ lengths: [4, 40], size: 10, rng: createRng(1) })).toThrow(
    /lengths\[1\]/,
  );
});

describe("the paper's '% simple' column and the learnable rule", () => {
  // Draw 12 of Dirichlet(10), alpha 6: the fitted `paper` language.
  const paper = markovLanguage({ seed: 12, alpha: 6, concentration: 10 });
  /** Share under q ~ p^alpha of length-len sequences with p >= the smallest length-4 p, from the matrices alone. */
  const byHand = (len: number, alpha: number, P: number[][][]): number => {
    const p = (s: number[]) =>
      s.reduce((acc, x, t) => (t === 0 ? 1 / 3 : acc * P[(t - 1) % P.length][s[t - 1]][x]), 1);
    const minP4 = Math.min(...allSequences(3, 4).map(p));
    const seqs = allSequences(3, len);
    const w = seqs.map((s) => Math.pow(p(s), alpha));
    const z = w.reduce((a, b) => a + b, 0);
    // IC <= max IC  <=>  p >= min p (up to rounding of the product vs the sum of logs).
    return seqs.reduce((a, s, i) => a + (p(s) >= minP4 * (1 - 1e-12) ? w[i] : 0), 0) / z;
  };

  test('simpleFraction equals the share recomputed from the transition matrices alone', () => {
    for (const len of [4, 5, 6, 7, 8]) {
      expect(
        Math.abs(paper.simpleFraction({ length: len }) - byHand(len, 6, paper.transitions)),
      ).toBeLessThan(1e-9);
    }
    expect(paper.simpleFraction({ length: 4 })).toBeCloseTo(1, 12);
  });

  test("draw 12 reproduces the paper's column 100 / 99.5 / 64.5 / 0 / 0 within half a point", () => {
    const col = [4, 5, 6, 7, 8].map((len) => paper.simpleFraction({ length: len }));
    [1, 0.995, 0.645, 0, 0].forEach((want, i) => expect(Math.abs(col[i] - want)).toBeLessThan(0.005));
  });

  test('simpleFraction agrees with the sampled test sets within sampling error', () => {
    const sets = paper.lengthGeneralizationSets({ lengths: [6], size: 20_000, rng: createRng(5) });
    const exact = paper.simpleFraction({ length: 6 });
    const sd = Math.sqrt((exact * (1 - exact)) / 20_000);
    expect(Math.abs(sets[0].simpleFraction - exact)).toBeLessThan(5 * sd);
  });

  test('the training rule is the Bayes predictor at the training length and the last matrix beyond it', () => {
    const four = paper.enumerate(4).map((s) => s.sequence);
    expect(paper.trainingRuleAccuracy(four)).toBe(paper.bayesOptimalAccuracy(four));
    const last = paper.transitions[2];
    const argmax = (row: number[]) => row.indexOf(Math.max(...row));
    const five = allSequences(3, 5);
    const want = five.filter((s) => argmax(last[s[3]]) === s[4]).length / five.length;
    expect(paper.trainingRuleAccuracy(five)).toBeCloseTo(want, 12);
    // Beyond length 4 the Bayes predictor uses P_{(n-2) mod 3}, here P_0 at length 5.
    const bayes5 = five.filter((s) => argmax(paper.transitions[0][s[3]]) === s[4]).length / five.length;
    expect(paper.bayesOptimalAccuracy(five)).toBeCloseTo(bayes5, 12);
    expect(() => paper.trainingRuleAccuracy([])).toThrow(/sequences/);
  });
});
