import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { registerFastMatMulGradient } from './matmul-gradient';

/** Backends `initBackend` can select. `tensorflow-gpu` and `tensorflow` are the tfjs-node builds. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export interface InitBackendOptions {
  /** Receives one line per attempt and the final choice. Default: `console.error` (keeps stdout clean). */
  log?: (msg: string) => void;
}

export const BACKEND_PREFERENCES: readonly BackendPreference[] = [
  'auto',
  'tensorflow-gpu',
  'tensorflow',
  'wasm',
  'cpu',
];

const INSTALL_HINT: Record<BackendName, string> = {
  'tensorflow-gpu':
    'install it next to @loop/models with `npm install @tensorflow/tfjs-node-gpu@4.22.0` (needs CUDA 11.2 + cuDNN 8.1 and internet access to download libtensorflow; see TFJS_NODE_BASE_URI for mirrors)',
  tensorflow:
    'install it next to @loop/models with `npm install @tensorflow/tfjs-node@4.22.0` (its install script downloads libtensorflow 2.9.1; see TFJS_NODE_BASE_URI for mirrors)',
  wasm: 'reinstall @tensorflow/tfjs-backend-wasm@4.22.0 (a dependency of @loop/models; its dist/ folder must contain the .wasm files)',
  cpu: 'install @tensorflow/tfjs@^4.22.0 (it contains the cpu backend)',
};

// Dynamic specifiers held in variables so bundlers do not try to resolve optional packages.
const NODE_GPU_SPEC = ['@tensorflow', 'tfjs-node-gpu'].join('/');
const NODE_SPEC = ['@tensorflow', 'tfjs-node'].join('/');

/**
 * Folder holding tfjs-backend-wasm's .wasm binaries, resolved like a `require` from this module
 * (CJS build and jest) or, in the ESM build where `__filename` does not exist, from the working
 * directory. Returns undefined when neither resolves; the package's Node entry then finds its
 * binaries next to itself.
 */
export function wasmBinaryDir(): string | undefined {
  const bases = [
    typeof __filename === 'string' ? __filename : undefined,
    path.join(process.cwd(), 'noop.js'),
  ];
  for (const base of bases) {
    if (!base) continue;
    try {
      return path.dirname(createRequire(base).resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
    } catch {
      // try the next base
    }
  }
  return undefined;
}

async function tryNode(spec: string): Promise<void> {
  await import(/* @vite-ignore */ /* webpackIgnore: true */ spec);
  // Both builds register the backend under the name 'tensorflow'.
  const ok = await tf.setBackend('tensorflow');
  if (!ok) throw new Error(`${spec} loaded but the 'tensorflow' backend failed to initialise`);
}

let wasmPathsSet = false;

async function tryWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet) {
    const dir = wasmBinaryDir();
    if (dir) wasm.setWasmPaths(dir);
    wasmPathsSet = true;
  }
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error("tf.setBackend('wasm') returned false");
}

async function tryCpu(): Promise<void> {
  const ok = await tf.setBackend('cpu');
  if (!ok) throw new Error("tf.setBackend('cpu') returned false");
}

async function attempt(name: BackendName): Promise<void> {
  switch (name) {
    case 'tensorflow-gpu':
      return tryNode(NODE_GPU_SPEC);
    case 'tensorflow':
      return tryNode(NODE_SPEC);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return tryCpu();
  }
}

const PACKAGE_OF: Record<BackendName, string> = {
  'tensorflow-gpu': NODE_GPU_SPEC,
  tensorflow: NODE_SPEC,
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs (cpu)',
};

function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}

/**
 * Select and initialise a tfjs backend, then register the project's fast BatchMatMul gradient.
 * `auto` tries tfjs-node-gpu, tfjs-node (both optional, loaded dynamically), wasm, then cpu and
 * returns the first that works. An explicit preference that fails throws with install instructions.
 */
export async function initBackend(
  pref: BackendPreference = 'auto',
  opts: InitBackendOptions = {},
): Promise<BackendName> {
  const log = opts.log ?? ((m: string) => console.error(m));
  if (!BACKEND_PREFERENCES.includes(pref)) {
    throw new Error(
      `initBackend: pref must be one of ${BACKEND_PREFERENCES.join(', ')}; got '${String(pref)}'`,
    );
  }
  const order: BackendName[] = pref === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [pref];
  const failures: string[] = [];
  for (const name of order) {
    try {
      await attempt(name);
      await tf.ready();
      registerFastMatMulGradient();
      const tried =
        failures.length > 0 ? ` after trying ${order.slice(0, order.indexOf(name)).join(', ')}` : '';
      log(`[loop] backend: ${name} (${PACKAGE_OF[name]})${tried}`);
      return name;
    } catch (err) {
      const line = `${name} unavailable (${PACKAGE_OF[name]}: ${reason(err)})`;
      failures.push(line);
      log(`[loop] ${line}`);
    }
  }
  if (pref === 'auto') {
    throw new Error(`initBackend('auto'): no backend could be initialised: ${failures.join('; ')}`);
  }
  throw new Error(`initBackend('${pref}') failed: ${failures.join('; ')}. To use it, ${INSTALL_HINT[pref]}.`);
}
