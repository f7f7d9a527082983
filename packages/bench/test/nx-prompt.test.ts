// The README's commands run unattended in a terminal: nx asks nothing (nx.json commits
// "analytics": false) and leaves the tracked nx.json as it was. Run under a pseudo-terminal with
// the CI variables removed, since nx never prompts in CI.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

(hasScript ? it : it.skip)('nx under a pseudo-terminal: no usage-data prompt, nx.json untouched', () => {
  const before = readFileSync(join(ROOT, 'nx.json'), 'utf8');
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
  for (const k of Object.keys(env))
    if (k === 'CI' || k.startsWith('NX_') || k.startsWith('GITHUB_')) delete env[k];
  env['NX_DAEMON'] = 'false';
  // `script` gives the command a terminal on stdin and stdout; an open prompt would hang until the timeout.
  const r = spawnSync('script', ['-qec', 'npx nx show projects', '/dev/null'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 90_000,
    input: '',
  });
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
  expect(r.stdout).not.toMatch(/usage data/i);
  expect(r.stdout).toContain('@loop/bench');
  expect(readFileSync(join(ROOT, 'nx.json'), 'utf8')).toBe(before);
});
