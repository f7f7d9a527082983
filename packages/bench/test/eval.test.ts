// `loop-bench eval`: a model trained by `loop-bench algorithmic` is saved with its run, loaded back
// and scored on the same test sets; the scores must equal what the training run itself measured.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIntList } from '../src/experiments/algorithmic/eval-command';
import { parseUnitKey } from '../src/experiments/algorithmic/unit-weights';
import { runTs } from './helpers';

interface Row {
  n: number;
  oracle: number;
  rules: Record<string, { acc: number; loops: number }>;
}
interface Saved {
  lengths: {
    n: number;
    oracle: number;
    adaptive: number | null;
    adaptiveLoops: number | null;
    rules?: Record<string, { acc: number; loops: number }>;
  }[];
  task: string;
  method: string;
  seed: number;
}

describe('loop-bench eval', () => {
  const run = join(mkdtempSync(join(tmpdir(), 'eval-')), 'run');
  afterAll(() => rmSync(join(run, '..'), { recursive: true, force: true }));

  it('round trip: train (smoke) -> weights/ -> eval reproduces the run own length scores', () => {
    const train = runTs(
      'src/cli.ts',
      ['algorithmic', '--profile', 'smoke', '--backend', 'cpu', '--out', run, '--quiet'],
      240_000,
    );
    expect(train.code).toBe(0);
    const results = JSON.parse(readFileSync(join(run, 'results.json'), 'utf8')) as {
      results: { units: Saved[] };
    };
    const units = results.results.units;
    // Smoke tests 8 samples per length; eval draws the same test sets from the unit's seed.
    const r = runTs(
      'src/cli.ts',
      [
        'eval',
        run,
        '--unit',
        'parity-looped-seed0,parity-single-seed0,copy-shift-seed0',
        '--size',
        '8',
        '--backend',
        'cpu',
        '--json',
      ],
      240_000,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const scored = JSON.parse(r.out) as { unit: string; rows: Row[] }[];
    expect(scored.map((s) => s.unit)).toEqual([
      'parity-looped-seed0',
      'parity-single-seed0',
      'copy-shift-seed0',
    ]);
    for (const s of scored) {
      const key = parseUnitKey(s.unit)!;
      const u = units.find((x) => x.task === key.task && x.method === key.method && x.seed === key.seed)!;
      expect(s.rows.map((row) => row.n)).toEqual(u.lengths.map((l) => l.n));
      s.rows.forEach((row, i) => {
        const l = u.lengths[i]!;
        expect(row.oracle).toBeCloseTo(l.oracle, 10);
        if (l.adaptive === null) expect(Object.keys(row.rules)).toEqual([]);
        else {
          expect(row.rules['confidence-batch']!.acc).toBeCloseTo(l.adaptive, 10);
          expect(row.rules['confidence-batch']!.loops).toBeCloseTo(l.adaptiveLoops!, 10);
          for (const [rule, v] of Object.entries(l.rules ?? {})) expect(row.rules[rule]).toEqual(v);
        }
      });
    }
  }, 480_000);

  it('--show prints every loop of an example and marks T(n)', () => {
    const r = runTs(
      'src/cli.ts',
      [
        'eval',
        run,
        '--unit',
        'parity-looped-seed0',
        '--lengths',
        '3',
        '--size',
        '4',
        '--show',
        '1',
        '--backend',
        'cpu',
      ],
      120_000,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/parity-looped-seed0 n=3 sample 0: [01]{3}= [01]/);
    // T_max = n + 20 loops, one line each; the oracle's loop T(3) = 3 is marked.
    expect(r.out.match(/^ {2}loop +\d+: /gm)).toHaveLength(23);
    expect(r.out).toMatch(/loop {2}3: \S+ (right|wrong) {2}<- T\(n\)/);
  }, 120_000);

  it('refuses a missing unit, a folder without models and bad lists with one line, exit 2', () => {
    const bad = (args: string[], text: RegExp) => {
      const r = runTs('src/cli.ts', ['eval', ...args, '--backend', 'cpu'], 120_000);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(text);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    };
    bad(
      [run, '--unit', 'parity-looped-seed7'],
      /no saved weights for parity-looped-seed7 .*units here: copy-looped-seed0/,
    );
    bad([run, '--unit', 'nonsense'], /not a unit name/);
    bad([join(run, 'figures')], /no saved models/);
    bad([run, '--lengths', '0-3'], /--lengths 0-3: expected integers or ranges/);
    bad([run, '--rules', 'magic'], /unknown rule magic/);
  }, 240_000);
});

describe('parseIntList', () => {
  it('reads ranges and lists, sorted and unique', () => {
    expect(parseIntList('--x', '8-10,1,9', 1, 20)).toEqual([1, 8, 9, 10]);
    expect(() => parseIntList('--x', '3-1', 1, 20)).toThrow(/expected integers/);
    expect(() => parseIntList('--x', '21', 1, 20)).toThrow(/in 1..20/);
  });
});
