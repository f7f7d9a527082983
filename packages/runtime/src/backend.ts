import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nativeMatMulFused, registerWasmKernels } from './wasm-kernels';
import { formatAdapter, startWebGpu, WEBGPU_INSTALL_HINT } from './webgpu-backend';
import {
  registerThreadedWasm,
  resolveWasmPackage,
  restoreSingleThreadedWasm,
  wasmThreadsRegistered,
} from './wasm-threads';

/**
 * Backends `initBackend` can select. `tensorflow-gpu` and `tensorflow` are the tfjs-node builds;
 * `webgpu` is tfjs-backend-webgpu on Dawn's Node binding.
 */
export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export interface InitBackendOptions {
  /** Receives one line per attempt and the final choice. Default: `console.error` (keeps stdout clean). */
  log?: (msg: string) => void;
  /**
   * Threads for the wasm backend's matrix products: a count, or `'auto'` (one per CPU core, at most
   * 8). Default 1 (tfjs' single-threaded build): extra threads pay off from n_embd ~256 upwards but
   * slow small models down, because every kernel then wakes the thread pool (measured in
   * docs/performance.md). When omitted, the environment variable `LOOP_WASM_THREADS` decides. Only
   * read the first time the wasm backend starts in a process.
   */
  threads?: number | 'auto';
  /** Also log each backend that `'auto'` skipped and why (default: only the choice, which names them). */
  verbose?: boolean;
}

/** Maximum `'auto'` picks: XNNPACK's products stop scaling well beyond this on small models. */
const MAX_AUTO_THREADS = 8;

/** Resolve the wasm thread count: the option, else `LOOP_WASM_THREADS`, else 1; throws on bad values. */
export function resolveWasmThreads(option: number | 'auto' | undefined, env = process.env): number {
  const raw: number | string = option ?? env.LOOP_WASM_THREADS ?? 1;
  const field = option === undefined && env.LOOP_WASM_THREADS !== undefined ? 'LOOP_WASM_THREADS' : 'threads';
  if (raw === 'auto') {
    const cores =
      typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    return Math.max(1, Math.min(cores, MAX_AUTO_THREADS));
  }
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new Error(`${field} must be 'auto' or an integer in 1..64; got '${String(raw)}'`);
  }
  return n;
}

export const BACKEND_PREFERENCES: readonly BackendPreference[] = [
  'auto',
  'tensorflow-gpu',
  'webgpu',
  'tensorflow',
  'wasm',
  'cpu',
];

const INSTALL_HINT: Record<BackendName, string> = {
  'tensorflow-gpu':
    'install it next to @loop/models with `npm install @tensorflow/tfjs-node-gpu@4.22.0` (needs CUDA 11.2 + cuDNN 8.1 and internet access to download libtensorflow; see TFJS_NODE_BASE_URI for mirrors)',
  tensorflow:
    'install it next to @loop/models with `npm install @tensorflow/tfjs-node@4.22.0` (its install script downloads libtensorflow 2.9.1; see TFJS_NODE_BASE_URI for mirrors)',
  webgpu: WEBGPU_INSTALL_HINT,
  wasm: 'reinstall @tensorflow/tfjs-backend-wasm@4.22.0 (a dependency of @loop/runtime; its dist/ folder must contain the .wasm files)',
  cpu: 'install @tensorflow/tfjs@^4.22.0 (it contains the cpu backend)',
};

// Dynamic specifiers held in variables so bundlers do not try to resolve optional packages.
const NODE_GPU_SPEC = ['@tensorflow', 'tfjs-node-gpu'].join('/');
const NODE_SPEC = ['@tensorflow', 'tfjs-node'].join('/');

/**
 * Folder holding tfjs-backend-wasm's .wasm binaries (see `resolveWasmPackage`). Returns undefined
 * when the package cannot be resolved; its Node entry then finds its binaries next to itself.
 */
export function wasmBinaryDir(): string | undefined {
  try {
    return path.dirname(resolveWasmPackage()) + path.sep;
  } catch {
    return undefined;
  }
}

async function tryNode(spec: string): Promise<void> {
  await import(/* @vite-ignore */ /* webpackIgnore: true */ spec);
  // Both builds register the backend under the name 'tensorflow'.
  const ok = await tf.setBackend('tensorflow');
  if (!ok) throw new Error(`${spec} loaded but the 'tensorflow' backend failed to initialise`);
}

let wasmPathsSet = false;

function wasmInitialised(): boolean {
  return (tf.engine() as unknown as { registry: Record<string, unknown> }).registry.wasm !== undefined;
}

let activeWasmThreads: number | null = null;

/** Threads of the wasm backend started by `initBackend` (null when initBackend has not started it). */
export function wasmThreads(): number | null {
  return activeWasmThreads;
}

/** Start the wasm backend (with the runtime's kernels when `native`); returns its XNNPACK thread count. */
async function tryWasm(threads: number, native: boolean, log: (msg: string) => void): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet) {
    const dir = wasmBinaryDir();
    if (dir) wasm.setWasmPaths(dir);
    wasmPathsSet = true;
  }
  if (!wasmInitialised()) {
    if (threads > 1) {
      try {
        await registerThreadedWasm(threads);
      } catch (err) {
        // e.g. an unwritable temp folder for the worker script: one thread still works.
        log(`[loop] the threaded wasm build is unavailable (${reason(err)}); using one thread`);
        restoreSingleThreadedWasm();
      }
    } else {
      restoreSingleThreadedWasm();
    }
  } else if (threads !== Math.max(1, wasmThreadsRegistered())) {
    log(`[loop] wasm already running with ${wasm.getThreadsCount()} thread(s); ignoring threads=${threads}`);
  }
  let ok = await tf.setBackend('wasm');
  if (!ok && wasmThreadsRegistered() > 0) {
    log('[loop] the threaded wasm build failed to start; falling back to one thread');
    restoreSingleThreadedWasm();
    ok = await tf.setBackend('wasm');
  }
  if (!ok) throw new Error("tf.setBackend('wasm') returned false");
  if (native) registerWasmKernels();
  activeWasmThreads = wasm.getThreadsCount();
  return activeWasmThreads;
}

async function tryCpu(): Promise<void> {
  const ok = await tf.setBackend('cpu');
  if (!ok) throw new Error("tf.setBackend('cpu') returned false");
}

/**
 * Initialise one backend; returns a note for the log line (the wasm thread count, the WebGPU
 * adapter), if any. `auto` takes WebGPU only on a hardware adapter.
 */
async function attempt(
  name: BackendName,
  o: { threads: number; native: boolean; auto: boolean; log: (msg: string) => void },
): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu':
      await tryNode(NODE_GPU_SPEC);
      return '';
    case 'webgpu':
      return `, adapter ${formatAdapter(await startWebGpu(o.auto))}`;
    case 'tensorflow':
      await tryNode(NODE_SPEC);
      return '';
    case 'wasm': {
      const n = await tryWasm(o.threads, o.native, o.log);
      return `, ${n} thread${n === 1 ? '' : 's'}${nativeMatMulFused() ? ', fused multiply-add products' : ''}`;
    }
    case 'cpu':
      await tryCpu();
      return '';
  }
}

const PACKAGE_OF: Record<BackendName, string> = {
  'tensorflow-gpu': NODE_GPU_SPEC,
  webgpu: '@tensorflow/tfjs-backend-webgpu on webgpu (Dawn)',
  tensorflow: NODE_SPEC,
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs (cpu)',
};

function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}

/** The backend `startBackend` chose and the log line that says so. */
export interface StartedBackend {
  name: BackendName;
  line: string;
}

/**
 * Select and start a tfjs backend: `auto` tries tfjs-node-gpu, WebGPU on a hardware adapter,
 * tfjs-node (all three optional, loaded dynamically), wasm, then cpu and takes the first that works; an explicit preference that fails
 * throws with install instructions. On wasm the runtime's kernels are registered unless `native`
 * is false. Gradients and the tape walk are `installRuntime`'s business (install.ts).
 */
export async function startBackend(
  pref: BackendPreference,
  opts: InitBackendOptions & { native?: boolean } = {},
): Promise<StartedBackend> {
  const log = opts.log ?? ((m: string) => console.error(m));
  if (!BACKEND_PREFERENCES.includes(pref)) {
    throw new Error(
      `initBackend: pref must be one of ${BACKEND_PREFERENCES.join(', ')}; got '${String(pref)}'`,
    );
  }
  const threads = resolveWasmThreads(opts.threads);
  const order: BackendName[] =
    pref === 'auto' ? ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] : [pref];
  const failures: string[] = [];
  for (const name of order) {
    try {
      const note = await attempt(name, { threads, native: opts.native ?? true, auto: pref === 'auto', log });
      await tf.ready();
      const tried =
        failures.length > 0 ? ` after trying ${order.slice(0, order.indexOf(name)).join(', ')}` : '';
      return { name, line: `[loop] backend: ${name} (${PACKAGE_OF[name]}${note})${tried}` };
    } catch (err) {
      const line = `${name} unavailable (${PACKAGE_OF[name]}: ${reason(err)})`;
      failures.push(line);
      if (opts.verbose) log(`[loop] ${line}`);
    }
  }
  if (pref === 'auto') {
    throw new Error(`initBackend('auto'): no backend could be initialised: ${failures.join('; ')}`);
  }
  throw new Error(`initBackend('${pref}') failed: ${failures.join('; ')}. To use it, ${INSTALL_HINT[pref]}.`);
}
