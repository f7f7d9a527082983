#!/usr/bin/env node
// The README's test command (`npm test`): type checks, every package's jest suite and the tarball
// consumer check, never replayed from the nx cache. Ends with the plain closing line
// `tests: N passed, N failed, N skipped` and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = path.join(root, 'packages');
const packages = fs
  .readdirSync(packagesDir)
  .filter((name) => fs.existsSync(path.join(packagesDir, name, 'package.json')))
  .sort();
const skipConsumer = process.argv.includes('--no-consumer');

const counts = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(label, command, args, options = {}) {
  const started = Date.now();
  console.log(`\n==> ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  console.log(
    `<== ${label}: ${ok ? 'ok' : `FAILED (exit ${result.status ?? result.signal})`} in ${seconds}s`,
  );
  return ok;
}

// 1. Type checks: one test per package.
const typecheckOk = run('typecheck', 'npx', [
  'nx',
  'run-many',
  '-t',
  'typecheck',
  '--skip-nx-cache',
  '--parallel=2',
]);
if (typecheckOk) counts.passed += packages.length;
else {
  counts.failed += 1;
  failures.push('typecheck');
}

// 2. Jest, one package at a time (each suite already uses both cores).
for (const name of packages) {
  const summaryFile = path.join(packagesDir, name, '.test-results', 'summary.json');
  fs.rmSync(summaryFile, { force: true });
  const ok = run(`jest @loop/${name}`, 'npx', ['jest', '--ci'], { cwd: path.join(packagesDir, name) });
  if (!fs.existsSync(summaryFile)) {
    counts.failed += 1;
    failures.push(`@loop/${name}: jest produced no results`);
    continue;
  }
  const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
  counts.passed += summary.passed;
  counts.failed += summary.failed;
  counts.skipped += summary.skipped;
  if (!ok && summary.failed === 0) {
    counts.failed += 1;
    failures.push(`@loop/${name}: jest exited non-zero (${summary.suitesFailed} failing suites)`);
  } else if (summary.failed > 0) failures.push(`@loop/${name}: ${summary.failed} failing tests`);
}

// 3. Consumer check from tarballs (builds every package first); prints its own JSON counts.
if (!skipConsumer) {
  const resultFile = path.join(root, '.test-results', 'consumer.json');
  fs.rmSync(resultFile, { force: true });
  run('consumer check', 'node', ['tools/consumer-check.mjs', '--json', resultFile]);
  if (fs.existsSync(resultFile)) {
    const summary = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    counts.passed += summary.passed;
    counts.failed += summary.failed;
    for (const f of summary.failures) failures.push(`consumer: ${f}`);
  } else {
    counts.failed += 1;
    failures.push('consumer check produced no results');
  }
}

if (failures.length > 0) {
  console.log('\nFailures:');
  for (const f of failures) console.log(`  - ${f}`);
}
console.log(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(counts.failed > 0 ? 1 : 0);
