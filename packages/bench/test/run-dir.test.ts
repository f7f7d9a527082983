import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/io/atomic';
import { checkRunDir, RunDir, RunDirError } from '../src/io/run-dir';
import { main } from '../src/program';
import { demoExperiment } from './fixtures/demo-experiment';
import { sink } from './helpers';

const tmp = () => mkdtempSync(join(tmpdir(), 'bench-rundir-'));

describe('run folder refusal logic', () => {
  test('missing or empty folders are accepted in every mode', () => {
    const d = tmp();
    for (const mode of ['fresh', 'force', 'resume'] as const) {
      expect(() => checkRunDir(join(d, 'missing'), mode)).not.toThrow();
      expect(() => checkRunDir(d, mode)).not.toThrow();
    }
  });

  test('a non-empty folder is refused unless --force or --resume', () => {
    const d = tmp();
    writeFileSync(join(d, 'something.txt'), 'x');
    expect(() => checkRunDir(d, 'fresh')).toThrow(RunDirError);
    expect(() => checkRunDir(d, 'fresh')).toThrow(/--force.*--resume/);
    expect(() => checkRunDir(d, 'force')).not.toThrow();
    expect(() => checkRunDir(d, 'resume')).not.toThrow();
  });

  test('a file in place of the folder is refused in every mode', () => {
    const d = tmp();
    const f = join(d, 'file');
    writeFileSync(f, 'x');
    for (const mode of ['fresh', 'force', 'resume'] as const)
      expect(() => checkRunDir(f, mode)).toThrow(/not a folder/);
  });

  test('--force removes previous run files only, keeping unrelated files', () => {
    const d = tmp();
    writeFileSync(join(d, 'results.json'), '{}');
    mkdirSync(join(d, 'figures'));
    writeFileSync(join(d, 'figures', 'old.svg'), '<svg/>');
    writeFileSync(join(d, 'notes.txt'), 'keep me');
    const run = RunDir.open(d, 'force');
    // While open, the run holds the folder's lock (a dot file); released, nothing else is left.
    expect(readdirSync(d)).toContain('.loop-bench.lock');
    run.release();
    expect(readdirSync(d).sort()).toEqual(['metrics.jsonl', 'notes.txt']);
    expect(readFileSync(join(d, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  test('atomic writes leave no temp files and replace whole contents', () => {
    const d = tmp();
    const p = join(d, 'sub', 'a.json');
    writeFileAtomic(p, 'first version, longer');
    writeFileAtomic(p, 'second');
    expect(readFileSync(p, 'utf8')).toBe('second');
    expect(readdirSync(join(d, 'sub'))).toEqual(['a.json']);
  });
});

describe('runs through the CLI', () => {
  async function cli(args: string[]) {
    const stdout = sink();
    const stderr = sink();
    const code = await main(['node', 'loop-bench', ...args], {
      experiments: [demoExperiment],
      stdout,
      stderr,
    });
    return { code, out: stdout.text(), err: stderr.text() };
  }

  test('writes the run files; refuses to overwrite; --resume reuses units and replays metrics', async () => {
    const out = join(tmp(), 'run');
    const first = await cli(['demo', '--profile', 'smoke', '--seeds', '2', '--out', out, '--quiet']);
    expect(first.code).toBe(0);
    for (const f of [
      'config.json',
      'metrics.jsonl',
      'results.json',
      'report.md',
      'report.html',
      'units/seed0.json',
      'units/seed1.json',
    ]) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    expect(first.out).toContain('Summary');
    const metrics1 = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    const lines = metrics1
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2 * 3 + 2); // 3 epochs x 2 seeds + 2 histograms
    expect(lines[0]).toEqual({
      type: 'scalar',
      series: 'train',
      run: 'm/seed0',
      step: 0,
      values: { loss: 1, lr: 0.1 },
    });
    const results1 = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results1.results.computed).toBe(2);

    const refused = await cli(['demo', '--profile', 'smoke', '--seeds', '2', '--out', out, '--quiet']);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('not empty');

    const resumed = await cli([
      'demo',
      '--profile',
      'smoke',
      '--seeds',
      '2',
      '--out',
      out,
      '--quiet',
      '--resume',
    ]);
    expect(resumed.code).toBe(0);
    const results2 = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results2.results.computed).toBe(0); // both units reused
    expect(results2.results.finals).toEqual(results1.results.finals);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(metrics1);

    const mismatch = await cli([
      'demo',
      '--profile',
      'smoke',
      '--seeds',
      '3',
      '--out',
      out,
      '--quiet',
      '--resume',
    ]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toContain('differs');

    const forced = await cli(['demo', '--profile', 'smoke', '--out', out, '--quiet', '--force']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).results.computed).toBe(1);
  });
});
