#!/usr/bin/env node
// Consumer check: build and `npm pack` every package, install the tarballs into a fresh project
// OUTSIDE the workspace, then verify ESM `import`, CJS `require`, type checks under
// moduleResolution node16 and bundler, a real computation on the wasm backend, and the CLI bin.
// Usage: node tools/consumer-check.mjs [--json results.json] [--keep]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? path.resolve(args[args.indexOf('--json') + 1]) : null;
const keep = args.includes('--keep');

const results = { passed: 0, failed: 0, failures: [] };

function sh(command, cmdArgs, cwd, { quiet = false, env = {} } = {}) {
  const r = spawnSync(command, cmdArgs, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  });
  if (!quiet || r.status !== 0) {
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
  }
  return r;
}

function check(name, fn) {
  const started = Date.now();
  let ok = false;
  let detail = '';
  try {
    const r = fn();
    ok = r === true || (r && r.status === 0);
    if (!ok && r && typeof r === 'object') detail = `exit ${r.status}`;
  } catch (err) {
    detail = err instanceof Error ? err.message : String(err);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${ok ? 'PASS' : 'FAIL'} consumer: ${name} (${seconds}s)${detail ? ` ${detail}` : ''}`);
  if (ok) results.passed += 1;
  else {
    results.failed += 1;
    results.failures.push(name);
  }
  return ok;
}

function finish() {
  if (jsonOut) {
    fs.mkdirSync(path.dirname(jsonOut), { recursive: true });
    fs.writeFileSync(`${jsonOut}.tmp`, JSON.stringify(results, null, 2));
    fs.renameSync(`${jsonOut}.tmp`, jsonOut);
  }
  console.log(`consumer check: ${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed > 0 ? 1 : 0);
}

const packages = fs
  .readdirSync(path.join(root, 'packages'))
  .filter((p) => fs.existsSync(path.join(root, 'packages', p, 'package.json')))
  .sort();
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const tfjsVersion = rootPkg.devDependencies['@tensorflow/tfjs'];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-consumer-'));
const tarballs = path.join(work, 'tarballs');
const app = path.join(work, 'app');
fs.mkdirSync(tarballs);
fs.mkdirSync(app);

if (
  !check('build all packages', () =>
    sh('npx', ['nx', 'run-many', '-t', 'build', '--parallel=2'], root, { quiet: true }),
  )
)
  finish();

for (const p of packages) {
  check(`build outputs of @loop/${p}`, () =>
    ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts'].every((f) =>
      fs.existsSync(path.join(root, 'packages', p, 'dist', f)),
    ),
  );
}

const packed = check('npm pack every package', () =>
  packages.every(
    (p) =>
      sh('npm', ['pack', '--silent', '--pack-destination', tarballs], path.join(root, 'packages', p), {
        quiet: true,
      }).status === 0,
  ),
);
if (!packed) finish();

fs.writeFileSync(
  path.join(app, 'package.json'),
  JSON.stringify({ name: 'loop-consumer', version: '1.0.0', private: true }, null, 2),
);
const tgz = fs.readdirSync(tarballs).map((f) => path.join(tarballs, f));
const installed = check('install tarballs into a plain project', () =>
  sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...tgz,
      `@tensorflow/tfjs@${tfjsVersion}`,
      'typescript@~5.9.0',
      '@types/node@^20',
    ],
    app,
  ),
);
if (!installed) finish();

const files = {
  'esm.mjs': `
import * as tf from '@tensorflow/tfjs';
${packages.map((p) => `import * as ${p} from '@loop/${p}';`).join('\n')}
const mods = { ${packages.join(', ')} };
for (const [name, m] of Object.entries(mods)) {
  if (Object.keys(m).length === 0) throw new Error('@loop/' + name + ' has no exports under import');
  if ('default' in m) throw new Error('@loop/' + name + ' has a default export');
}
const backend = await models.initBackend('wasm');
if (backend !== 'wasm' || tf.getBackend() !== 'wasm') throw new Error('expected the wasm backend, got ' + backend);
const task = tasks.getTask('parity');
const batch = task.batch({ size: 4, length: 5, rng: tasks.createRng(1) });
const model = models.createLoopedGPT({ vocabSize: task.vocabSize, nEmbd: 16, nHead: 2, nLayer: 1, inputInjection: true, positional: 'none', readIn: 'onehot' }, { seed: 1 });
const tokens = tf.tensor2d(batch.input, batch.shape, 'int32');
const logits = model.forward(tokens, { loops: 3 });
if (logits.length !== 3) throw new Error('expected logits after 3 loops');
const shape = logits[2].shape.join('x');
if (shape !== [batch.shape[0], batch.shape[1], model.config.outputSize ?? task.vocabSize].join('x')) throw new Error('bad logits shape ' + shape);
console.log('esm: backend', backend, 'threads', models.wasmThreads(), 'logits', shape, 'params', model.parameterCount());
`,
  'cjs.cjs': `
const tf = require('@tensorflow/tfjs');
${packages.map((p) => `const ${p} = require('@loop/${p}');`).join('\n')}
const mods = { ${packages.join(', ')} };
for (const [name, m] of Object.entries(mods)) {
  if (Object.keys(m).length === 0) throw new Error('@loop/' + name + ' has no exports under require');
}
(async () => {
  const backend = await models.initBackend('wasm');
  const rng = tasks.createRng(7);
  const a = rng.next();
  if (!(a >= 0 && a < 1)) throw new Error('rng out of range');
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const y = tf.matMul(x, x).arraySync();
  if (y[0][0] !== 7 || y[1][1] !== 22) throw new Error('matmul wrong on ' + backend);
  const b = tf.matMul(tf.ones([3, 2, 4]), tf.ones([3, 4, 5])).arraySync(); // batched: the replaced kernel
  if (b[2][1][4] !== 4) throw new Error('batched matmul wrong on ' + backend);
  console.log('cjs: backend', backend, 'threads', models.wasmThreads(), 'matmul ok');
})().catch((e) => { console.error(e); process.exit(1); });
`,
  'consumer.mts': `
import * as tf from '@tensorflow/tfjs';
import { createRng, getTask, type Batch, type Rng } from '@loop/tasks';
import { createLoopedGPT, initBackend, type GPTConfig, type LoopedGPT } from '@loop/models';
export async function demo(): Promise<number> {
  const backend: string = await initBackend('wasm');
  const rng: Rng = createRng(3);
  const batch: Batch = getTask('copy').batch({ size: 2, length: 3, rng });
  const config: GPTConfig = { vocabSize: 4, nEmbd: 8, nHead: 2, nLayer: 1, inputInjection: true, positional: 'none', readIn: 'onehot' };
  const model: LoopedGPT = createLoopedGPT(config, { seed: 0 });
  const out: tf.Tensor[] = model.forward(tf.tensor2d(batch.input, batch.shape, 'int32'), { loops: 2 });
  return out.length + backend.length + model.parameterCount();
}
`,
  'consumer.cts': `
import { createRng, getTask } from '@loop/tasks';
import { initBackend } from '@loop/models';
export async function demo(): Promise<number> {
  await initBackend('cpu');
  return getTask('parity').steps(4) + createRng(1).int(0, 3);
}
`,
};
for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(app, name), text.trimStart());
const tsconfig = (moduleResolution, module) => ({
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: 'ES2022',
    module,
    moduleResolution,
    skipLibCheck: true,
    types: ['node'],
  },
  files: moduleResolution === 'bundler' ? ['consumer.mts'] : ['consumer.mts', 'consumer.cts'],
});
fs.writeFileSync(
  path.join(app, 'tsconfig.node16.json'),
  JSON.stringify(tsconfig('node16', 'node16'), null, 2),
);
fs.writeFileSync(
  path.join(app, 'tsconfig.bundler.json'),
  JSON.stringify(tsconfig('bundler', 'esnext'), null, 2),
);

check('ESM import + wasm computation', () => sh('node', ['esm.mjs'], app));
check('CJS require + computation', () => sh('node', ['cjs.cjs'], app));
// The threaded wasm build resolves its worker and factory files from the installed package.
for (const file of ['esm.mjs', 'cjs.cjs']) {
  check(`${file} on 2 wasm threads (LOOP_WASM_THREADS=2)`, () => {
    const r = sh('node', [file], app, { env: { LOOP_WASM_THREADS: '2' } });
    return r.status === 0 && /threads 2\b/.test(r.stdout);
  });
}
check('tsc, moduleResolution node16 (ESM and CJS consumers)', () =>
  sh('npx', ['tsc', '-p', 'tsconfig.node16.json'], app),
);
check('tsc, moduleResolution bundler', () => sh('npx', ['tsc', '-p', 'tsconfig.bundler.json'], app));
if (packages.includes('bench')) {
  check('loop-bench bin runs', () => {
    const r = sh('npx', ['loop-bench', '--version'], app);
    return r.status === 0 && /\d+\.\d+\.\d+/.test(r.stdout);
  });
}

// Every TypeScript example in the package READMEs, as written: type-checked against the installed
// tarballs, compiled and run, each in its own folder. The READMEs of published runs
// (results/<run>/README.md) load files of the run by their repository paths, so theirs run with the
// repository root as working directory. A block preceded by a
// `<!-- not run by the consumer check: why -->` line is skipped (a recipe too long to run here).
const readmeBlocks = [];
const readmes = [
  ...packages.map((p) => ({ prefix: p, file: path.join(root, 'packages', p, 'README.md'), inRepo: false })),
  ...fs
    .readdirSync(path.join(root, 'results'))
    .filter((r) => fs.existsSync(path.join(root, 'results', r, 'README.md')))
    .sort()
    .map((r) => ({ prefix: `results-${r}`, file: path.join(root, 'results', r, 'README.md'), inRepo: true })),
];
for (const { prefix, file, inRepo } of readmes) {
  const text = fs.readFileSync(file, 'utf8');
  const re = /(<!-- not run by the consumer check[^\n]*-->\n)?( *)```ts\n([\s\S]*?)\n\2```/g;
  let i = 0;
  for (const m of text.matchAll(re)) {
    const code = m[3]
      .split('\n')
      .map((l) => l.slice(m[2].length))
      .join('\n');
    if (m[1] || !/from '@loop\//.test(code)) continue;
    readmeBlocks.push({ name: `${prefix}-${++i}`, code, inRepo });
  }
}
const examples = path.join(app, 'readme');
fs.mkdirSync(examples, { recursive: true });
for (const b of readmeBlocks) fs.writeFileSync(path.join(examples, `${b.name}.mts`), `${b.code}\n`);
fs.writeFileSync(
  path.join(examples, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        target: 'es2022',
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        skipLibCheck: true,
        types: ['node'],
        outDir: 'out',
      },
      include: ['*.mts'],
    },
    null,
    2,
  ),
);
const compiled =
  readmeBlocks.length > 0 &&
  check(`README examples type-check (${readmeBlocks.map((b) => b.name).join(', ')})`, () =>
    sh('npx', ['tsc', '-p', path.join(examples, 'tsconfig.json')], app),
  );
for (const b of compiled ? readmeBlocks : []) {
  check(`README example ${b.name} runs`, () => {
    const dir = b.inRepo ? root : path.join(examples, `run-${b.name}`);
    if (!b.inRepo) fs.mkdirSync(dir);
    return sh('node', [path.join(examples, 'out', `${b.name}.mjs`)], dir, { quiet: true });
  });
}

if (!keep) fs.rmSync(work, { recursive: true, force: true });
else console.log(`consumer project kept in ${app}`);
finish();
