// RNG: sfc32 and cyrb128 checked against BigInt re-implementations of the published algorithms,
// uniformity by chi-square, fork independence, checkpoint/resume.
import { createRng, cyrb128, shuffleInPlace } from '../src';

const M32 = (1n << 32n) - 1n;
const u = (x: bigint) => x & M32;

/** sfc32 step in BigInt arithmetic (PractRand definition: 32-bit words, barrel shift 21, rshift 9, lshift 3). */
function sfc32Ref(s: bigint[]): bigint {
  let [a, b, c, d] = s as [bigint, bigint, bigint, bigint];
  const t = u(u(a + b) + d);
  d = u(d + 1n);
  a = b ^ (b >> 9n);
  b = u(c + u(c << 3n));
  c = u((c << 21n) | (c >> 11n));
  c = u(c + t);
  s.splice(0, 4, a, b, c, d);
  return t;
}

/** cyrb128 (bryc) in BigInt arithmetic. */
function cyrb128Ref(str: string): number[] {
  const mul = (x: bigint, k: bigint) => u(x * k);
  let h1 = 1779033703n;
  let h2 = 3144134277n;
  let h3 = 1013904242n;
  let h4 = 2773480762n;
  for (const ch of str) {
    const k = BigInt(ch.charCodeAt(0));
    h1 = h2 ^ mul(h1 ^ k, 597399067n);
    h2 = h3 ^ mul(h2 ^ k, 2869860233n);
    h3 = h4 ^ mul(h3 ^ k, 951274213n);
    h4 = h1 ^ mul(h4 ^ k, 2716044179n);
  }
  h1 = mul(h3 ^ (h1 >> 18n), 597399067n);
  h2 = mul(h4 ^ (h2 >> 22n), 2869860233n);
  h3 = mul(h1 ^ (h3 >> 17n), 951274213n);
  h4 = mul(h2 ^ (h4 >> 19n), 2716044179n);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1, h2, h3, h4].map(Number);
}

test('cyrb128 matches the BigInt reference', () => {
  for (const s of ['', 'a', 'seed:42', 'seed:-7/train', 'ünïcødé label'])
    expect(cyrb128(s)).toEqual(cyrb128Ref(s));
});

test('outputs follow sfc32 seeded with cyrb128("seed:<seed>") after 12 discarded outputs', () => {
  for (const seed of [0, 1, 42, -3, 2 ** 40]) {
    const s = cyrb128Ref(`seed:${seed}`).map(BigInt);
    for (let i = 0; i < 12; i++) sfc32Ref(s);
    const rng = createRng(seed);
    for (let i = 0; i < 50; i++) expect(rng.uint32()).toBe(Number(sfc32Ref(s)));
    expect(rng.next()).toBe(Number(sfc32Ref(s)) / 2 ** 32);
  }
});

test('int() is uniform (chi-square, 9 df) and within bounds', () => {
  const rng = createRng(3);
  const counts = new Array<number>(10).fill(0);
  const N = 100_000;
  for (let i = 0; i < N; i++) counts[rng.int(5, 14) - 5]++;
  const chi2 = counts.reduce((a, c) => a + (c - N / 10) ** 2 / (N / 10), 0);
  expect(chi2).toBeLessThan(27.88); // p = 0.001
  expect(rng.int(7, 7)).toBe(7);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < 1000; i++) {
    const x = rng.int(-2, 2);
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  expect([lo, hi]).toEqual([-2, 2]);
});

test('next() has mean 1/2 and variance 1/12', () => {
  const rng = createRng(9);
  const N = 100_000;
  let s = 0;
  let s2 = 0;
  let inRange = true;
  for (let i = 0; i < N; i++) {
    const x = rng.next();
    inRange &&= x >= 0 && x < 1;
    s += x;
    s2 += x * x;
  }
  expect(inRange).toBe(true);
  const mean = s / N;
  expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
  expect(Math.abs(s2 / N - mean * mean - 1 / 12)).toBeLessThan(0.002);
});

test('same seed -> same stream; different seeds -> different streams', () => {
  const a = createRng(123);
  const b = createRng(123);
  const c = createRng(124);
  const xa = Array.from({ length: 20 }, () => a.uint32());
  expect(Array.from({ length: 20 }, () => b.uint32())).toEqual(xa);
  expect(Array.from({ length: 20 }, () => c.uint32())).not.toEqual(xa);
});

test('fork depends on key and label only, not on the parent position', () => {
  const p1 = createRng(5);
  const p2 = createRng(5);
  for (let i = 0; i < 1000; i++) p2.next();
  const f1 = p1.fork('validation');
  const f2 = p2.fork('validation');
  const xs = Array.from({ length: 10 }, () => f1.uint32());
  expect(Array.from({ length: 10 }, () => f2.uint32())).toEqual(xs);
  // The fork key is cyrb128 of the parent key hex and the label.
  const key = cyrb128Ref('seed:5');
  const hex = key.map((w) => w.toString(16).padStart(8, '0')).join('');
  expect(f1.state().key).toEqual(cyrb128Ref(`${hex}/validation`));
  // Different labels, and parent vs child, are uncorrelated.
  const g = createRng(5).fork('train');
  const h = createRng(5).fork('validation');
  const N = 20_000;
  let sxy = 0;
  for (let i = 0; i < N; i++) sxy += (g.next() - 0.5) * (h.next() - 0.5);
  // corr = 12 * E[(x-1/2)(y-1/2)] ~ N(0, 1/N): allow 5 sd.
  expect(Math.abs((12 * sxy) / N)).toBeLessThan(5 / Math.sqrt(N));
  expect(createRng(5).fork('a').uint32()).not.toBe(createRng(5).fork('b').uint32());
});

test('state() / setState() / fromState resume exactly, through JSON', () => {
  const rng = createRng(77);
  for (let i = 0; i < 37; i++) rng.next();
  const snap = JSON.parse(JSON.stringify(rng.state()));
  const expected = Array.from({ length: 25 }, () => rng.uint32());
  const resumed = createRng.fromState(snap);
  expect(Array.from({ length: 25 }, () => resumed.uint32())).toEqual(expected);
  const other = createRng(1);
  other.setState(snap);
  expect(Array.from({ length: 25 }, () => other.uint32())).toEqual(expected);
  // Forks of a restored stream equal forks of the original.
  expect(createRng.fromState(snap).fork('x').uint32()).toBe(createRng(77).fork('x').uint32());
});

test('shuffleInPlace gives uniform permutations of 3 items', () => {
  const rng = createRng(8);
  const counts = new Map<string, number>();
  const N = 60_000;
  for (let i = 0; i < N; i++) {
    const k = shuffleInPlace([0, 1, 2], rng).join('');
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  expect(counts.size).toBe(6);
  const chi2 = [...counts.values()].reduce((a, c) => a + (c - N / 6) ** 2 / (N / 6), 0);
  expect(chi2).toBeLessThan(20.52); // 5 df, p = 0.001
});

test('bad input names the argument', () => {
  expect(() => createRng(1.5)).toThrow(/seed must be an integer.*1\.5/);
  expect(() => createRng(Number.NaN)).toThrow(/seed/);
  expect(() => createRng(3).int(5, 3)).toThrow(/hiInclusive must be an integer >= 5; got 3/);
  expect(() => createRng(3).int(0, 2 ** 33)).toThrow(/hiInclusive - lo must be < 2\^32/);
  expect(() => createRng.fromState({ key: [1, 2, 3], state: [1, 2, 3, 4] } as never)).toThrow(/state\.key/);
  expect(() => createRng.fromState({ key: [1, 2, 3, 4], state: [1, 2, 3, -1] } as never)).toThrow(
    /state\.state/,
  );
});
