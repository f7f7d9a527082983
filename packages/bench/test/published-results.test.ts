// Published runs (results/<study>/): their reports are what `loop-bench report` rebuilds from
// results.json, they record the commit that produced them, and the Markov runs' recorded languages
// reproduce the paper's "% simple" column when recomputed from the matrices alone.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTs } from './helpers';

const RESULTS = resolve(__dirname, '..', '..', '..', 'results');
const runs = existsSync(RESULTS)
  ? readdirSync(RESULTS).filter((d) => existsSync(join(RESULTS, d, 'results.json')))
  : [];

describe('published runs in results/', () => {
  it('holds the Markov study in the paper regime', () => {
    expect(runs).toContain('markov-paper');
  });

  it.each(runs)('%s: `loop-bench report` rebuilds report.md and report.html byte for byte', (name) => {
    const copy = join(mkdtempSync(join(tmpdir(), 'published-')), name);
    cpSync(join(RESULTS, name), copy, { recursive: true });
    const r = runTs('src/cli.ts', ['report', copy], 120_000);
    expect(r.code).toBe(0);
    for (const f of ['report.md', 'report.html'])
      expect(readFileSync(join(copy, f), 'utf8')).toBe(readFileSync(join(RESULTS, name, f), 'utf8'));
    const cfg = JSON.parse(readFileSync(join(RESULTS, name, 'config.json'), 'utf8'));
    expect(cfg.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it("markov-paper: each recorded language reproduces the paper's % simple column from its matrices alone", () => {
    const res = JSON.parse(readFileSync(join(RESULTS, 'markov-paper', 'results.json'), 'utf8'));
    const langs: { seed: number; alpha: number; transitions: number[][][] }[] = res.results.core.languages;
    expect(langs.map((l) => l.seed)).toEqual([12, 966, 491]);
    const seqs = (len: number): number[][] =>
      len === 0 ? [[]] : seqs(len - 1).flatMap((s) => [0, 1, 2].map((x) => [...s, x]));
    const paper = [1, 0.995, 0.645, 0, 0];
    for (const l of langs) {
      const P = l.transitions;
      const p = (s: number[]) => s.slice(1).reduce((acc, x, t) => acc * P[t % 3]![s[t]!]![x]!, 1 / 3);
      const minP = Math.min(...seqs(4).map(p));
      [4, 5, 6, 7, 8].forEach((len, i) => {
        const all = seqs(len);
        const w = all.map((s) => Math.pow(p(s), l.alpha));
        const z = w.reduce((a, b) => a + b, 0);
        const share = all.reduce((a, s, k) => a + (p(s) >= minP * (1 - 1e-12) ? w[k]! : 0), 0) / z;
        // The fit's tolerance: 1 / 2 / 0.5 / 0.5 pt at lengths 5-8 (docs/markov-fit.md).
        expect(Math.abs(share - paper[i]!)).toBeLessThanOrEqual([1e-9, 0.01, 0.02, 0.005, 0.005][i]!);
      });
    }
  });
});
