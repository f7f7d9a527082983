import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// The thread count is fixed when the wasm backend starts, so each count runs in its own process.
const child = path.join(__dirname, 'fixtures', 'threads-child.ts');

function run(threads: string, env: Record<string, string> = {}): { threads: number; losses: number[] } {
  const res = spawnSync(process.execPath, ['--conditions=@loop/source', '--import', 'tsx', child], {
    env: { ...process.env, LOOP_WASM_THREADS: threads, ...env },
    encoding: 'utf8',
    timeout: 60_000, // a pthread worker that kept the process alive would hit this
  });
  if (res.status !== 0) throw new Error(`child (threads ${threads}) failed: ${res.status} ${res.stderr}`);
  const last = res.stdout.trim().split('\n').pop() as string;
  return JSON.parse(last) as { threads: number; losses: number[] };
}

describe('multi-threaded wasm backend', () => {
  it('runs on 2 threads, exits by itself, and gives bit-identical losses to 1 thread', () => {
    const one = run('1');
    const two = run('2');
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(one.losses).toHaveLength(3);
    expect(one.losses[2]).toBeLessThan(one.losses[0] as number); // it trains
    expect(two.losses).toEqual(one.losses);
    // Where the worker script cannot be written, it falls back to one thread and still trains.
    // (a temp "folder" below a regular file cannot be created)
    const fallback = run('2', { CHILD_TMPDIR: path.join(__filename, 'tmp') });
    expect(fallback.threads).toBe(1);
    expect(fallback.losses).toEqual(one.losses);
  }, 180_000);
});
