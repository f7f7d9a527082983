import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointStep } from '../src';
import { FIXTURE_STEPS, runFixture, type FixtureResult } from './fixtures/resume-run';

const script = join(__dirname, 'fixtures', 'resume-run.ts');
// `node --import tsx` runs the script in this one process; the `tsx` CLI would run it in a grandchild
// that survives a SIGKILL of the CLI and keeps writing.
const tsxArgs = (out: string, extra: string[]) => [
  '--import',
  'tsx',
  '--conditions=@loop/source',
  script,
  out,
  ...extra,
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shift-kill-'));
});
afterAll(() => {
  if (!process.env.KEEP_TMP) rmSync(dir, { recursive: true, force: true });
});

function logWithoutTiming(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r.type !== 'checkpoint')
    .map(({ trainMs: _t, stages, ...rest }) => ({
      ...rest,
      ...(Array.isArray(stages)
        ? { stages: stages.map(({ trainMs: _a, evalMs: _b, ...s }: Record<string, unknown>) => s) }
        : {}),
    }));
}

it('a run killed with SIGKILL after a checkpoint and resumed ends exactly like an uninterrupted run (cpu)', async () => {
  const ref = join(dir, 'ref');
  const expected = await runFixture(ref);

  const run = join(dir, 'run');
  const child = spawn(process.execPath, tsxArgs(run, ['--slow-ms', '100']), {
    cwd: join(__dirname, '..'),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal === 'SIGKILL' ? -9 : code)),
  );
  // Kill once a checkpoint past the first few steps exists, well before the end.
  const killedAt = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const ck = join(run, 'ckpt');
      const step = checkpointStep(ck); // the checkpoint folder is swapped in atomically
      if (step !== null) {
        if (step >= 6) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve(step);
        }
      }
      if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`child exited before it could be killed: ${stderr}`));
      }
    }, 10);
  });
  expect(await exited).toBe(-9);
  expect(killedAt).toBeLessThan(FIXTURE_STEPS);
  expect(existsSync(join(run, 'result.json'))).toBe(false);

  const resumed = spawnSync(process.execPath, tsxArgs(run, ['--resume']), {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
  });
  if (resumed.status !== 0) throw new Error(`resumed run failed (${resumed.status}): ${resumed.stderr}`);
  const got = JSON.parse(readFileSync(join(run, 'result.json'), 'utf8')) as FixtureResult;

  expect(got.steps).toBe(FIXTURE_STEPS);
  expect(got.finalMetrics).toEqual(expected.finalMetrics);
  expect(got.evals).toEqual(expected.evals);
  expect(got.weights).toEqual(expected.weights);
  expect(logWithoutTiming(join(run, 'metrics.jsonl'))).toEqual(logWithoutTiming(join(ref, 'metrics.jsonl')));
  // The SCP criterion switched stages during the run, so resume restored (or crossed) a stage switch.
  const shifts = logWithoutTiming(join(ref, 'metrics.jsonl')).filter(
    (r) => (r as { type: string }).type === 'shift',
  );
  expect(shifts).toHaveLength(1);
}, 240_000);
