// How perf rounds the numbers it logs and reports.

export const f1 = (x: number): number => Math.round(x * 10) / 10;
export const f2 = (x: number): number => Math.round(x * 100) / 100;
