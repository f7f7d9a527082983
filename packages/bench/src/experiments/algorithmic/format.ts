// How the algorithmic report writes times and speedups ('–' when there is no number).

export const seconds = (s: number | null): string =>
  s === null || !Number.isFinite(s) ? '–' : `${s.toFixed(1)} s`;
export const ratio = (r: number | null): string =>
  r === null || !Number.isFinite(r) ? '–' : `${r.toFixed(2)}×`;
