// Published runs (results/<study>/): their reports are what `loop-bench report` rebuilds from
// results.json, they record the commit that produced them, and the Markov runs' recorded languages
// reproduce the paper's "% simple" column when recomputed from the matrices alone.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runTs } from './helpers';

const RESULTS = resolve(__dirname, '..', '..', '..', 'results');
/** Run folders under results/, one or two levels deep (e.g. results/algorithmic-floor/<config>). */
const runs = existsSync(RESULTS)
  ? readdirSync(RESULTS).flatMap((d) =>
      existsSync(join(RESULTS, d, 'results.json'))
        ? [d]
        : readdirSync(join(RESULTS, d))
            .filter((e) => existsSync(join(RESULTS, d, e, 'results.json')))
            .map((e) => join(d, e)),
    )
  : [];

describe('published runs in results/', () => {
  it('holds the Markov study in the paper regime', () => {
    expect(runs).toContain('markov-paper');
  });

  it.each(runs)('%s: `loop-bench report` rebuilds report.md and report.html byte for byte', (name) => {
    const copy = join(mkdtempSync(join(tmpdir(), 'published-')), 'run');
    cpSync(join(RESULTS, name), copy, { recursive: true });
    const r = runTs('src/cli.ts', ['report', copy], 120_000);
    expect(r.code).toBe(0);
    for (const f of ['report.md', 'report.html'])
      expect(readFileSync(join(copy, f), 'utf8')).toBe(readFileSync(join(RESULTS, name, f), 'utf8'));
    const cfg = JSON.parse(readFileSync(join(RESULTS, name, 'config.json'), 'utf8'));
    // A run made with uncommitted changes says so (+dirty) and records what they were.
    expect(cfg.commit).toMatch(/^[0-9a-f]{40}(\+dirty)?$/);
    if (String(cfg.commit).endsWith('+dirty'))
      expect(String(cfg.commitNote ?? '').length).toBeGreaterThan(40);
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

describe('the floor table of the algorithmic study', () => {
  it('docs/algorithmic-floor.md and floor.json are what the script writes from the published runs', () => {
    const root = mkdtempSync(join(tmpdir(), 'floor-'));
    cpSync(join(RESULTS, 'algorithmic-floor'), join(root, 'results', 'algorithmic-floor'), {
      recursive: true,
    });
    mkdirSync(join(root, 'docs'));
    const script = resolve(__dirname, '..', 'scripts', 'floor-table.ts');
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    const repo = resolve(RESULTS, '..');
    expect(readFileSync(join(root, 'docs', 'algorithmic-floor.md'), 'utf8')).toBe(
      readFileSync(join(repo, 'docs', 'algorithmic-floor.md'), 'utf8'),
    );
    expect(readFileSync(join(root, 'results', 'algorithmic-floor', 'floor.json'), 'utf8')).toBe(
      readFileSync(join(RESULTS, 'algorithmic-floor', 'floor.json'), 'utf8'),
    );
  });
});

describe('published weights', () => {
  // The floor search's best model, and the cpu profile's model that its README example loads.
  it.each([
    ['algorithmic-floor/parity-e64-h4-l1-t10-8k', 2],
    ['algorithmic-cpu', 0],
  ])(
    '%s: the Looped-Attn parity model of seed %i scores what its run reported at n = 20',
    (name, seed) => {
      const run = join(RESULTS, name);
      const results = JSON.parse(readFileSync(join(run, 'results.json'), 'utf8')) as {
        results: {
          units: {
            method: string;
            seed: number;
            lengths: { n: number; oracle: number; adaptive: number }[];
          }[];
        };
      };
      const unit = results.results.units.find((u) => u.method === 'looped' && u.seed === seed)!;
      const reported = unit.lengths.find((l) => l.n === 20)!;
      const r = runTs(
        'src/cli.ts',
        [
          'eval',
          run,
          '--unit',
          `parity-looped-seed${seed}`,
          '--lengths',
          '20',
          '--rules',
          'confidence-batch',
          '--backend',
          'wasm',
          '--json',
        ],
        180_000,
      );
      expect(r.code).toBe(0);
      const row = (
        JSON.parse(r.out) as { rows: { oracle: number; rules: Record<string, { acc: number }> }[] }[]
      )[0]!.rows[0]!;
      expect(row.oracle).toBe(reported.oracle);
      expect(row.rules['confidence-batch']!.acc).toBe(reported.adaptive);
    },
    180_000,
  );
});
