#!/usr/bin/env node
// `npm run gpu-bundle [-- --out DIR]`: a self-contained folder for a GPU machine without registry
// access: the loop-bench CLI bundled into one file with its JavaScript dependencies (tfjs, the
// WebGPU backend, Dawn's Node binding), Dawn's linux-x64 `dawn.node` only, tfjs' wasm binaries, and
// run-gpu-check.sh, which runs the WebGPU check against cpu, `perf --backend webgpu` and a short
// slice of the paper's parity recipe. Needs Node >= 20 and a Vulkan driver on the target.
import { build } from 'esbuild';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outArg = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
if (args.includes('--out') && (!outArg || outArg.startsWith('--'))) {
  console.error('gpu-bundle: --out needs a folder, e.g. --out /tmp/loop-gpu');
  process.exit(2);
}
const out = path.resolve(outArg ?? path.join(root, 'dist', 'gpu-bundle'));
// Only an empty folder or a previous bundle is replaced: --out never deletes anything else.
if (
  fs.existsSync(out) &&
  fs.readdirSync(out).length > 0 &&
  !fs.existsSync(path.join(out, 'loop-bench.mjs'))
) {
  console.error(`gpu-bundle: ${out} is not empty and holds no previous bundle; choose another --out`);
  process.exit(2);
}
const require = createRequire(path.join(root, 'package.json'));

const tmp = `${out}.tmp-${process.pid}`;
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(tmp, { recursive: true });

// CommonJS dependencies inside an ES module bundle still ask for require, __filename and __dirname
// (tfjs-backend-wasm finds its .wasm files next to itself; webgpu finds dist/<platform>/dawn.node).
const banner = [
  "import { createRequire as __loopCreateRequire } from 'node:module';",
  "import { fileURLToPath as __loopFileURLToPath } from 'node:url';",
  "import { dirname as __loopDirname } from 'node:path';",
  'const require = __loopCreateRequire(import.meta.url);',
  'const __filename = __loopFileURLToPath(import.meta.url);',
  'const __dirname = __loopDirname(__filename);',
].join('\n');
try {
  await build({
    entryPoints: [path.join(root, 'tools', 'gpu-bundle-entry.mjs')],
    outfile: path.join(tmp, 'loop-bench.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    conditions: ['@loop/source'],
    banner: { js: banner },
    // Optional backends the bundle does not carry (tfjs-node needs libtensorflow).
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    logLevel: 'warning',
  });
} catch (err) {
  fs.rmSync(tmp, { recursive: true, force: true });
  console.error(`gpu-bundle: the build failed: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
  process.exit(1);
}

const dawn = path.join(path.dirname(require.resolve('webgpu')), 'dist', 'linux-x64', 'dawn.node');
fs.mkdirSync(path.join(tmp, 'dist', 'linux-x64'), { recursive: true });
fs.copyFileSync(dawn, path.join(tmp, 'dist', 'linux-x64', 'dawn.node'));
const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '.');
for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')))
  fs.copyFileSync(path.join(wasmDir, f), path.join(tmp, f));
fs.copyFileSync(path.join(root, 'tools', 'gpu-check.sh'), path.join(tmp, 'run-gpu-check.sh'));
fs.chmodSync(path.join(tmp, 'run-gpu-check.sh'), 0o755);

fs.rmSync(out, { recursive: true, force: true });
fs.renameSync(tmp, out);
let bytes = 0;
const walk = (d) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true }))
    e.isDirectory() ? walk(path.join(d, e.name)) : (bytes += fs.statSync(path.join(d, e.name)).size);
};
walk(out);
console.log(
  `gpu bundle: ${out} (${(bytes / 2 ** 20).toFixed(1)} MiB); run ${path.join(out, 'run-gpu-check.sh')} on the GPU machine`,
);
