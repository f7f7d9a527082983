import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepMerge } from '../src/config/merge';
import { definedProfiles } from '../src/config/profiles';
import { EXPERIMENTS } from '../src/experiments/registry';
import { main } from '../src/program';
import { demoExperiment } from './fixtures/demo-experiment';
import { sink } from './helpers';

const tmp = () => mkdtempSync(join(tmpdir(), 'bench-config-'));

async function cli(args: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await main(['node', 'loop-bench', ...args], { experiments: [demoExperiment], stdout, stderr });
  return { code, out: stdout.text(), err: stderr.text() };
}

function configFile(dir: string, value: unknown): string {
  const p = join(dir, 'cfg.json');
  writeFileSync(p, JSON.stringify(value));
  return p;
}

describe('config validation (exit 2, nothing written)', () => {
  test.each([
    ['unknown key', { epochs: 2, bogus: true }, ['Unrecognized key', 'bogus']],
    ['wrong type', { epochs: 'ten' }, ['expected number', 'epochs']],
    ['negative lr', { lr: -0.01 }, ['lr', '>0']],
    ['unknown task', { task: 'sorting' }, ['task', 'parity']],
    ['bad seeds', { seeds: 0 }, ['seeds', '>=1']],
  ])('%s', async (_label, value, fragments) => {
    const dir = tmp();
    const out = join(dir, 'run');
    const r = await cli(['demo', '--profile', 'smoke', '--out', out, '--config', configFile(dir, value)]);
    expect(r.code).toBe(2);
    for (const f of fragments) expect(r.err).toContain(f);
    expect(existsSync(out)).toBe(false);
  });

  test('every problem is reported at once, each with its path', async () => {
    const dir = tmp();
    const out = join(dir, 'run');
    const r = await cli([
      'demo',
      '--out',
      out,
      '--config',
      configFile(dir, { epochs: 1.5, lr: -1, extra: 1 }),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('→ at epochs');
    expect(r.err).toContain('→ at lr');
    expect(r.err).toContain('extra');
    expect(existsSync(out)).toBe(false);
  });

  test('bad command-line values: profile, seed, --force with --resume', async () => {
    const out = join(tmp(), 'run');
    const a = await cli(['demo', '--profile', 'huge', '--seed', '-3', '--out', out]);
    expect(a.code).toBe(2);
    expect(a.err).toContain('→ at profile');
    expect(a.err).toContain('→ at seed');
    const b = await cli(['demo', '--force', '--resume', '--out', out]);
    expect(b.code).toBe(2);
    const c = await cli(['demo', '--no-such-option']);
    expect(c.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  test('a profile the experiment does not define: one line naming the ones it has', async () => {
    const out = join(tmp(), 'run');
    const r = await cli(['demo', '--profile', 'cpu', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain("--profile cpu: 'demo' has no cpu profile; use one of smoke, quick, full, paper");
    expect(existsSync(out)).toBe(false);
    const h = await cli(['demo', '--help']);
    expect(h.out).not.toMatch(/^\s+cpu\s/m);
  });

  test('every profile of every registered experiment validates against its schema', () => {
    for (const e of EXPERIMENTS) {
      for (const name of definedProfiles(e.profiles)) {
        const parsed = e.schema.safeParse(e.profiles[name]!.config);
        expect({ experiment: e.name, profile: name, ok: parsed.success }).toEqual({
          experiment: e.name,
          profile: name,
          ok: true,
        });
      }
    }
  });

  test('missing and malformed config files', async () => {
    const dir = tmp();
    const out = join(dir, 'run');
    expect((await cli(['demo', '--out', out, '--config', join(dir, 'none.json')])).code).toBe(2);
    const p = join(dir, 'broken.json');
    writeFileSync(p, '{ not json');
    const r = await cli(['demo', '--out', out, '--config', p]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not valid JSON');
    expect(existsSync(out)).toBe(false);
  });

  test('--help and --version exit 0', async () => {
    const h = await cli(['demo', '--help']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('--profile');
    expect(h.out).toContain('smoke');
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.out.trim()).toBe(
      (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
        .version,
    );
  });

  test('a valid override is applied on top of the profile and recorded', async () => {
    const dir = tmp();
    const out = join(dir, 'run');
    const r = await cli([
      'demo',
      '--profile',
      'smoke',
      '--quiet',
      '--seeds',
      '2',
      '--out',
      out,
      '--config',
      configFile(dir, { epochs: 5 }),
    ]);
    expect(r.code).toBe(0);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as {
      config: unknown;
      seeds: number[];
    };
    expect(cfg.config).toEqual({ epochs: 5, lr: 0.1, task: 'parity' });
    expect(cfg.seeds).toEqual([0, 1]);
  });
});

describe('deepMerge', () => {
  test('objects merge per key, arrays and scalars replace', () => {
    expect(deepMerge({ a: 1, b: { c: 2, d: [1, 2] } }, { b: { d: [3] }, e: 4 })).toEqual({
      a: 1,
      b: { c: 2, d: [3] },
      e: 4,
    });
    expect(deepMerge({ a: 1 }, undefined)).toEqual({ a: 1 });
  });
});
