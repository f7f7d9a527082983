import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';

/** Collects everything written to it. */
export function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return Object.assign(w, { text: () => chunks.join('') });
}

export const PKG = resolve(__dirname, '..');

/** Runs a TypeScript entry in a real Node process (ESM-only vega works there, unlike in jest's VM). */
export function runTs(entry: string, args: string[], timeoutMs = 120_000) {
  const r = spawnSync(process.execPath, ['--conditions=@loop/source', '--import', 'tsx', entry, ...args], {
    cwd: PKG,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
