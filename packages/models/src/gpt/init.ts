/**
 * Deterministic initialisation independent of the tfjs backend: a seeded mulberry32 stream per
 * parameter (seed mixed with the parameter's name), Gaussian values by Box-Muller.
 */

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** mulberry32: uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stream for one named parameter of a model seeded with `seed`. */
export function paramStream(seed: number, name: string): () => number {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ hashString(name)) >>> 0);
}

export function normalArray(n: number, std: number, next: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = Math.max(next(), 1e-12);
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2) * std;
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2) * std;
  }
  return out;
}

export type InitKind = { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };

export function initValues(size: number, init: InitKind, seed: number, name: string): Float32Array {
  if (init.kind === 'zeros') return new Float32Array(size);
  if (init.kind === 'ones') return new Float32Array(size).fill(1);
  return normalArray(size, init.std, paramStream(seed, name));
}
