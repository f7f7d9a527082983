// `npx loop-bench` inside the repository runs this package's CLI (built or from source) and never
// asks the npm registry: --no-install makes npx fail instead of downloading.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const PKG = resolve(__dirname, '..');
const ROOT = resolve(PKG, '..', '..');
const version = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')).version as string;

describe('the loop-bench command', () => {
  it('npx --no-install loop-bench resolves to this repository (offline)', () => {
    const r = spawnSync('npx', ['--no-install', 'loop-bench', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, npm_config_offline: 'true' },
    });
    expect(r.stderr).not.toMatch(/npm (ERR|error)/);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('the bin script runs the CLI and passes its exit code on', () => {
    const bin = join(PKG, 'bin', 'loop-bench.mjs');
    const ok = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', timeout: 120_000 });
    expect(ok.stdout.trim()).toBe(version);
    const bad = spawnSync(process.execPath, [bin, 'markov', '--profile', 'nope'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('profile');
  });
});
