#!/usr/bin/env node
// `npm start`: build the packages, then run the paper reproduction (quick profile) on the default
// embedded backend. Extra arguments are passed to loop-bench, e.g. `npm start -- --backend cpu`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const extra = process.argv.slice(2);

function run(command, args) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

console.log('Building the packages (nx run-many -t build) ...');
run('npx', ['nx', 'run-many', '-t', 'build', '--parallel=2']);
const out = extra.includes('--out') ? [] : ['--out', 'runs/reproduce-quick', '--force'];
run('node', [
  path.join('packages', 'bench', 'dist', 'cli.js'),
  'reproduce',
  '--profile',
  'quick',
  ...out,
  ...extra,
]);
