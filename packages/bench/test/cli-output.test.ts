// What a user sees on stderr: one line naming the backend, no skipped-backend lines or tfjs banner
// unless --verbose, nothing under --quiet.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from './helpers';

/** stderr without progress-bar lines and blank lines. */
const lines = (err: string) =>
  err
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/[░█]/.test(l));

const run = (extra: string[], backend = 'cpu') =>
  runTs(
    'src/cli.ts',
    [
      'theory',
      '--profile',
      'smoke',
      '--backend',
      backend,
      '--out',
      join(mkdtempSync(join(tmpdir(), 'cli-out-')), 'r'),
      ...extra,
    ],
    120_000,
  );

describe('stderr of a default run', () => {
  it('one line names the backend; no tfjs banner, no skipped-backend lines', () => {
    const r = run([]);
    expect(r.code).toBe(0);
    expect(lines(r.err)).toEqual(['loop-bench theory: profile smoke, backend cpu, seeds 0']);
  });
  it('--quiet: nothing', () => {
    const r = run(['--quiet']);
    expect(r.code).toBe(0);
    expect(lines(r.err)).toEqual([]);
  });
  it("--verbose: the backend detail and tfjs' own warnings", () => {
    const r = run(['--verbose']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('[loop] backend: cpu');
    expect(r.err).toContain('Hi, looks like you are running TensorFlow.js in Node.js');
  });
  it('auto logs what it skipped only under --verbose', () => {
    expect(run([], 'auto').err).not.toContain('unavailable');
    // Where tfjs-node-gpu is installed it is chosen; otherwise --verbose says why it was skipped.
    expect(run(['--verbose'], 'auto').err).toMatch(/tensorflow-gpu unavailable|backend: tensorflow-gpu/);
  });
});
