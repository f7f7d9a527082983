import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PKG = resolve(__dirname, '..');
const NODE_ARGS = ['--conditions=@loop/source', '--import', 'tsx', 'src/cli.ts'];
const ROOT = mkdtempSync(join(tmpdir(), 'bench-algo-'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], {
    cwd: PKG,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** results.json without wall-clock fields (times, speedups, the command line). */
function results(dir: string): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => !/time|speedup|totarget|^report$/i.test(k))
          .map(([k, x]) => [k, strip(x)]),
      );
    }
    return v;
  };
  return strip(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
}

/** report.md with wall-clock values masked (seconds, speedups, the wall-time and command lines). */
function report(dir: string): string {
  return (
    readFileSync(join(dir, 'report.md'), 'utf8')
      .split('\n')
      .filter((l) => !/^- \*\*(wall time|command)\*\*/.test(l))
      .join('\n')
      .replace(/\d+(\.\d+)? s\b/g, '<s>')
      .replace(/\d+(\.\d+)?×/g, '<x>')
      // the held/not-held label of the training-time claim depends on wall-clock times
      .replace(/\*\*[A-Z /]+\*\*(: \w+: SHIFT needs less training time)/g, '**<verdict>**$1')
  );
}

const smoke = ['algorithmic', '--profile', 'smoke', '--backend', 'cpu', '--quiet'];
const full = join(ROOT, 'full');

beforeAll(() => {
  const r = cli([...smoke, '--out', full]);
  if (r.code !== 0) throw new Error(r.err);
});

describe('loop-bench algorithmic (smoke, cpu, spawned)', () => {
  test('writes the study: units, metrics, figures, tables and verdicts for parity and copy', () => {
    const res = JSON.parse(readFileSync(join(full, 'results.json'), 'utf8'));
    expect(res.results.units).toHaveLength(2 * 3);
    for (const u of res.results.units) {
      expect(u.lengths.map((l: { n: number }) => l.n)).toEqual([1, 2, 3, 4, 5]);
      for (const l of u.lengths) expect(l.oracle).toBeGreaterThanOrEqual(0);
      for (const l of u.lengths) expect(l.oracle).toBeLessThanOrEqual(1);
      // Single-Attn has no adaptive stopping; looped models choose a step in 1..T_max = n + 20
      if (u.method === 'single') expect(u.lengths[0].adaptive).toBeNull();
      else for (const l of u.lengths) expect(l.adaptiveLoops).toBeGreaterThanOrEqual(1);
      if (u.method !== 'single')
        for (const l of u.lengths) expect(l.adaptiveLoops).toBeLessThanOrEqual(l.n + 20);
      expect(u.evals.map((e: { step: number }) => e.step)).toEqual([3, 6, 9, 12]);
    }
    // the smoke SCP (huge deltas, patience 1) fires as early as SCP can: the first evaluation (step 3)
    // sets the best loss, the second (6) is the plateau point, the third (9) ends the gradient wait
    const shift = res.results.units.find((u: { method: string }) => u.method === 'shift');
    expect(shift.plateauStep).toBe(6);
    expect(shift.shiftStep).toBe(9);
    expect(shift.finalLoops).toBe('T(n)');
    for (const f of [
      'algorithmic-parity-loss',
      'algorithmic-parity-train-acc',
      'algorithmic-parity-val-acc',
      'algorithmic-copy-length',
      'algorithmic-train-time',
    ]) {
      expect(readFileSync(join(full, 'figures', `${f}.svg`), 'utf8')).toMatch(/<svg[\s\S]*<\/svg>/);
    }
    const md = readFileSync(join(full, 'report.md'), 'utf8');
    expect(md).toContain('SHIFT switch step');
    // One seed is never a verdict: every claim reads N/A, with its evidence.
    expect(md).toMatch(
      /- \*\*N\/A\*\*: parity: Looped-Attn with oracle T\(n\) loops generalizes beyond the training lengths better than Single-Attn/,
    );
    expect(md).not.toMatch(/\*\*(HELD|DID NOT HOLD|PARTLY)\*\*/);
    const metrics = readFileSync(join(full, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.filter((m) => m.series === 'length')).toHaveLength(6 * 5);
  });

  test('shards 0/2 and 1/2 merged give the unsharded results, metrics and report', () => {
    for (const i of [0, 1]) {
      const r = cli([...smoke, '--shard', `${i}/2`, '--out', join(ROOT, `shard${i}`)]);
      expect(r.code).toBe(0);
      expect(readdirSync(join(ROOT, `shard${i}`, 'units'))).toHaveLength(3);
    }
    const bad = cli(['merge', join(ROOT, 'shard0'), '--out', join(ROOT, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/shard\(s\) 1\/2 missing/);
    const r = cli([
      'merge',
      join(ROOT, 'shard1'),
      join(ROOT, 'shard0'),
      '--out',
      join(ROOT, 'merged'),
      '--quiet',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(results(join(ROOT, 'merged'))).toEqual(results(full));
    expect(readFileSync(join(ROOT, 'merged', 'metrics.jsonl'), 'utf8')).toBe(
      readFileSync(join(full, 'metrics.jsonl'), 'utf8'),
    );
    expect(report(join(ROOT, 'merged'))).toBe(report(full));
  });

  test('the cost probe prints the expected cost first and changes no result', () => {
    const cfg = join(ROOT, 'probe.json');
    writeFileSync(cfg, JSON.stringify({ costProbe: true }));
    const out = join(ROOT, 'probe');
    const r = cli(['algorithmic', '--profile', 'smoke', '--backend', 'cpu', '--config', cfg, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(
      /expected cost: about \d+ s of training on one core for 6 unit\(s\) \(per step, Single \/ Looped at the longest training length: parity [\d.]+ \/ [\d.]+ s, copy [\d.]+ \/ [\d.]+ s/,
    );
    const units = (dir: string) => (results(dir) as { results: { units: unknown[] } }).results.units;
    expect(units(out)).toEqual(units(full));
  });

  test('a run killed with SIGKILL after a finished unit and resumed gives the uninterrupted results', async () => {
    const out = join(ROOT, 'killed');
    const child = spawn(process.execPath, [...NODE_ARGS, ...smoke, '--out', out], {
      cwd: PKG,
      stdio: 'ignore',
    });
    const units = join(out, 'units');
    await new Promise<void>((done, fail) => {
      const timer = setInterval(() => {
        if (existsSync(units) && readdirSync(units).some((f) => f.endsWith('.json'))) {
          clearInterval(timer);
          child.kill('SIGKILL');
          done();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        fail(new Error('the run finished before it could be killed'));
      });
    });
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(out, 'results.json'))).toBe(false);
    const r = cli([...smoke, '--out', out, '--resume']);
    expect(r.code).toBe(0);
    expect(results(out)).toEqual(results(full));
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(
      readFileSync(join(full, 'metrics.jsonl'), 'utf8'),
    );
  });

  test('reproduce combines its experiments into one report with every figure', () => {
    const out = join(ROOT, 'reproduce');
    const cfg = join(ROOT, 'reproduce.json');
    writeFileSync(cfg, JSON.stringify({ experiments: ['no-such-experiment'] }));
    const r = cli([
      'reproduce',
      '--profile',
      'smoke',
      '--backend',
      'cpu',
      '--quiet',
      '--task',
      'parity',
      '--config',
      cfg,
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| no-such-experiment \| not registered \|/);
    expect(md).toMatch(/\| algorithmic \| done \| 0 \|/);
    // The header and the closing lines name the seeds each experiment ran, and the report's path.
    expect(md).toContain('- **seeds**: algorithmic 0');
    expect(r.out).toContain('seeds: algorithmic 0');
    expect(r.out).toContain(`report: ${join(out, 'report.html')}`);
    const figures = [...md.matchAll(/\]\(figures\/([^)]+\.svg)\)/g)].map((m) => m[1]!);
    expect(figures).toContain('algorithmic--algorithmic-parity-length.svg');
    for (const f of figures) expect(existsSync(join(out, 'figures', f))).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
    const sub = JSON.parse(readFileSync(join(out, 'algorithmic', 'results.json'), 'utf8'));
    expect(sub.results.units.map((u: { key?: string; method: string }) => u.method)).toEqual([
      'single',
      'looped',
      'shift',
    ]);
  });
});
