/** Float64 oracles shared by the native-kernel tests. */

export const dotp = (a: number[], b: number[]): number =>
  a.reduce((s, ai, i) => s + ai * (b[i] as number), 0);

/** d f / dx by central differences (float64). */
export function numGrad(f: (x: number[]) => number, x: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const p = [...x];
    const m = [...x];
    p[i]! += h;
    m[i]! -= h;
    return (f(p) - f(m)) / (2 * h);
  });
}

/** Largest |got - ref| relative to the largest |ref|. */
export function relMax(got: ArrayLike<number>, ref: number[]): number {
  const scale = Math.max(1e-12, ...ref.map(Math.abs));
  let w = 0;
  ref.forEach((r, i) => (w = Math.max(w, Math.abs((got[i] as number) - r))));
  return w / scale;
}
