import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { resolveWasmThreads } from '../src';

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

describe('resolveWasmThreads', () => {
  it('takes the option, else LOOP_WASM_THREADS, else 1', () => {
    expect(resolveWasmThreads(undefined, {})).toBe(1);
    expect(resolveWasmThreads(3, { LOOP_WASM_THREADS: '2' })).toBe(3);
    expect(resolveWasmThreads(undefined, { LOOP_WASM_THREADS: '2' })).toBe(2);
    const auto = resolveWasmThreads('auto', {});
    expect(auto).toBeGreaterThanOrEqual(1);
    expect(auto).toBeLessThanOrEqual(8);
  });

  it('names the field and the allowed values on bad input', () => {
    expect(() => resolveWasmThreads(0, {})).toThrow(
      /threads must be 'auto' or an integer in 1\.\.64; got '0'/,
    );
    expect(() => resolveWasmThreads(undefined, { LOOP_WASM_THREADS: 'many' })).toThrow(
      /LOOP_WASM_THREADS must be 'auto' or an integer/,
    );
  });
});
