/**
 * Seeded pseudo-random numbers, identical on every platform (pure 32-bit integer arithmetic).
 *
 * Generator: sfc32 ("small fast counting", Chris Doty-Humphrey, PractRand), 128-bit state, period
 * >= 2^32 and ~2^127 on average. Seeding: the 128-bit key is cyrb128 (bryc, public domain) of the
 * string `seed:<seed>`; a child stream `fork(label)` gets key = cyrb128(`<parent key hex>/<label>`).
 * A fork depends only on the parent's key and the label, never on how many numbers the parent has
 * drawn, so e.g. `rng.fork('validation')` gives the same data whatever the training batch size.
 * The first 12 outputs after seeding are discarded to decorrelate nearby keys.
 */
import { TaskArgumentError, checkInt } from './validation';

/** JSON-serialisable snapshot of an Rng (for checkpoint/resume). */
export interface RngState {
  /** 128-bit stream key as four uint32 words (defines forks). */
  key: [number, number, number, number];
  /** Current sfc32 state as four uint32 words. */
  state: [number, number, number, number];
}

export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Uniform uint32 in [0, 2^32). */
  uint32(): number;
  /** Uniform integer in [lo, hiInclusive] (unbiased, rejection sampling); hi - lo < 2^32. */
  int(lo: number, hiInclusive: number): number;
  /** A fair random bit (0 or 1). */
  bit(): number;
  /** Independent child stream derived from this stream's key and `label` (not from its position). */
  fork(label: string): Rng;
  /** Snapshot of key and position. */
  state(): RngState;
  /** Restores a snapshot taken with `state()`. */
  setState(s: RngState): void;
}

/** cyrb128: 128-bit string hash (bryc, public domain). Returns four uint32 words. */
export function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const TWO_POW_32 = 4294967296;
const DISCARD = 12;

class Sfc32 implements Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private key: [number, number, number, number];

  constructor(key: [number, number, number, number]) {
    this.key = key;
    [this.a, this.b, this.c, this.d] = key;
    for (let i = 0; i < DISCARD; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  bit(): number {
    return this.uint32() >>> 31;
  }

  int(lo: number, hiInclusive: number): number {
    checkInt('lo', lo, Number.MIN_SAFE_INTEGER);
    checkInt('hiInclusive', hiInclusive, lo);
    const range = hiInclusive - lo + 1;
    if (range > TWO_POW_32) {
      throw new TaskArgumentError('hiInclusive', `hiInclusive - lo must be < 2^32; got range ${range}`);
    }
    if (range === TWO_POW_32) return lo + this.uint32();
    // Reject the top partial block so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % range);
    let u = this.uint32();
    while (u >= limit) u = this.uint32();
    return lo + (u % range);
  }

  fork(label: string): Rng {
    if (typeof label !== 'string') {
      throw new TaskArgumentError('label', `label must be a string; got ${String(label)}`);
    }
    const hex = this.key.map((w) => w.toString(16).padStart(8, '0')).join('');
    return new Sfc32(cyrb128(`${hex}/${label}`));
  }

  state(): RngState {
    return { key: [...this.key], state: [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0] };
  }

  setState(s: RngState): void {
    const key = checkWords('state.key', s?.key);
    const st = checkWords('state.state', s?.state);
    this.key = key;
    [this.a, this.b, this.c, this.d] = st.map((w) => w | 0) as [number, number, number, number];
  }
}

function checkWords(name: string, words: unknown): [number, number, number, number] {
  if (
    !Array.isArray(words) ||
    words.length !== 4 ||
    !words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)
  ) {
    throw new TaskArgumentError(
      name,
      `${name} must be an array of 4 integers in [0, 2^32); got ${JSON.stringify(words)}`,
    );
  }
  return [words[0] as number, words[1] as number, words[2] as number, words[3] as number];
}

/** Creates a seeded generator. `seed` must be a safe integer (negative allowed). */
function createRngImpl(seed: number): Rng {
  checkInt('seed', seed, Number.MIN_SAFE_INTEGER);
  return new Sfc32(cyrb128(`seed:${seed}`));
}

/** Rebuilds a generator from a `state()` snapshot (continues exactly where the snapshot was taken). */
function fromState(s: RngState): Rng {
  const rng = new Sfc32([0, 0, 0, 0]);
  rng.setState(s);
  return rng;
}

export const createRng: ((seed: number) => Rng) & { fromState: (s: RngState) => Rng } = Object.assign(
  createRngImpl,
  {
    fromState,
  },
);

/** Fisher-Yates shuffle in place with the given generator. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
