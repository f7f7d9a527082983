#!/usr/bin/env node
// The `loop-bench` command: the built CLI (dist/cli.js), or, inside the loop repository before
// `npm run build`, the TypeScript sources through tsx. Either way `npx loop-bench` finds this
// package's CLI and never falls through to the npm registry.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'cli.js');
const source = join(root, 'src', 'cli.ts');

if (existsSync(dist)) {
  await import(pathToFileURL(dist).href);
} else if (existsSync(source)) {
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    process.stderr.write('loop-bench: not built and tsx is not installed; run `npm run build` first\n');
    process.exit(2);
  }
  const r = spawnSync(
    process.execPath,
    ['--conditions=@loop/source', '--import', tsx, source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? (r.signal === 'SIGINT' ? 130 : 1));
} else {
  process.stderr.write(`loop-bench: ${dist} is missing; reinstall @loop/bench\n`);
  process.exit(2);
}
