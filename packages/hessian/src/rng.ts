/**
 * The probe vectors' seeded PRNG (mulberry32; Box-Muller normals, Rademacher signs), so every estimator
 * is reproducible without tfjs. Distinct from @loop/tasks' `createRng` (sfc32 streams with forks for data).
 */
export interface ProbeRng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** +1 or -1 with equal probability. */
  rademacher(): number;
}

export function createProbeRng(seed: number): ProbeRng {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { next, normal, rademacher: () => (next() < 0.5 ? -1 : 1) };
}

export function gaussianVector(n: number, rng: ProbeRng): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  return v;
}

export function rademacherVector(n: number, rng: ProbeRng): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.rademacher();
  return v;
}
