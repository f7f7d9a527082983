// `npm start` (tools/start.mjs) as a user meets it: a second run continues the first instead of
// wiping it, --fresh starts over, and Ctrl-C ends with one line saying how to continue, exit 130.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const START = join(ROOT, 'tools', 'start.mjs');

const start = (args: string[]) =>
  spawnSync(process.execPath, [START, '--no-build', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });

const results = (dir: string) =>
  JSON.stringify(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).results, (k, v) =>
    /(Ms|S|seconds)$/.test(k) ? undefined : v,
  );

describe('npm start', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'start-')), 'run');
  const smoke = ['--profile', 'smoke', '--backend', 'cpu', '--task', 'parity', '--quiet', '--out', out];

  it('a second run continues the first (same results), --fresh starts over', () => {
    const first = start(smoke);
    expect(first.status).toBe(0);
    const before = results(out);
    const second = start(smoke);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`Continuing the run in ${out}`);
    expect(results(out)).toBe(before);
    const third = start(['--fresh', ...smoke]);
    expect(third.status).toBe(0);
    expect(third.stdout).not.toContain('Continuing');
  });

  it('a run made with another configuration is not overwritten: exit 2 and how to start over', () => {
    // The same folder asked for another seed (as after an upgrade that changes the configuration).
    const r = start([...smoke, '--seed', '5']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/config\.json differs/);
    expect(r.stderr).toMatch(
      /npm start: the run in .* cannot be continued \(above\)\. `npm start -- --fresh` starts over/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('Ctrl-C: one line on how to continue, exit 130, no stack trace', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'start-int-')), 'run');
    const child = spawn(process.execPath, [START, '--no-build', '--backend', 'cpu', '--out', dir], {
      cwd: ROOT,
      detached: true, // its own process group, as a terminal's foreground job
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    for (let i = 0; i < 600 && !existsSync(join(dir, 'markov', 'config.json')); i++)
      await new Promise((r) => setTimeout(r, 100));
    process.kill(-child.pid!, 'SIGINT'); // what Ctrl-C sends: the whole group
    expect(await exited).toBe(130);
    const lines = err.split('\n').filter((l) => l.startsWith('npm start:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Run `npm start` again to continue');
    expect(err).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });
});
