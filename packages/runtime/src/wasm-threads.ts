import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Multi-threaded wasm backend for Node.
 *
 * Why: tfjs-backend-wasm ships a threaded SIMD build (XNNPACK on a pthreadpool) but never uses it
 * in Node: its loader hands Emscripten a Blob URL for the pthread worker, which Node's
 * `worker_threads` cannot load, and its flag reports no thread support there. This module loads
 * the same threaded build with Node-friendly paths (the worker script written to a temp file, the
 * factory read from its file) and registers it under the usual name 'wasm', so every kernel
 * registered for 'wasm' runs on it unchanged. XNNPACK's kernels (matrix products, elementwise
 * arithmetic) then run on the thread pool; tfjs' own loops (reductions, transposes, softmax) stay
 * single-threaded. XNNPACK splits an operation into output tiles, each computed the same way, so
 * its results are bit-identical for any thread count. (The native product kernel's fused build
 * rounds differently from XNNPACK: where the threaded build leaves large 2-D products to XNNPACK,
 * results then differ from one thread by round-off; docs/backends.md.)
 */

/** The backend's JS <-> wasm bridge, as tfjs-backend-wasm's own loader builds it. */
interface EmscriptenWorker {
  unref(): void;
}
interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  PThread: { unusedWorkers: EmscriptenWorker[]; runningWorkers: EmscriptenWorker[] };
  tfjs?: Record<string, (...args: number[]) => number>;
}
type ThreadedFactory = (config: Record<string, unknown>) => Promise<ThreadedModule>;
interface WasmPackage {
  BackendWasm: new (module: unknown) => tf.KernelBackend;
  setThreadsCount(n: number): void;
}

const FACTORY_FILE = 'tfjs-backend-wasm-threaded-simd.js';
const WORKER_FILE = 'tfjs-backend-wasm-threaded-simd.worker.js';
const WASM_PRIORITY = 2;

/**
 * Entry file of @tensorflow/tfjs-backend-wasm, resolved like a `require` from this module (CJS build,
 * jest, and the ESM build through tsup's __filename shim) or else from the working directory.
 */
export function resolveWasmPackage(): string {
  const bases = [
    typeof __filename === 'string' ? __filename : undefined,
    path.join(process.cwd(), 'noop.js'),
  ];
  for (const base of bases) {
    if (!base) continue;
    try {
      return createRequire(base).resolve('@tensorflow/tfjs-backend-wasm');
    } catch {
      // try the next base
    }
  }
  throw new Error('cannot resolve @tensorflow/tfjs-backend-wasm (install it next to @loop/models)');
}

/**
 * Write Emscripten's pthread worker script to the temp folder (once per content: the name carries
 * a hash) and return its path. Written to a temp name and renamed, so concurrent processes never
 * read a half-written file. The template literal it ships in turns "\n" escapes into newlines; they
 * are escaped back exactly as tfjs' browser loader does.
 */
function workerScript(req: NodeRequire, wasmOut: string): string {
  const { wasmWorkerContents } = req(path.join(wasmOut, WORKER_FILE)) as { wasmWorkerContents: string };
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `loop-tfjs-wasm-worker-${hash}.cjs`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, source);
    fs.renameSync(tmp, file);
  }
  return file;
}

/**
 * The backend sizes XNNPACK's pool from Emscripten's core count (os.cpus().length in Node) halved
 * (it assumes two hyper-threads per core) and caps the requested count with it. Report 2n cores
 * while the module starts and the backend is constructed, so the pool gets exactly n threads.
 */
async function withReportedCores<T>(req: NodeRequire, threads: number, fn: () => Promise<T>): Promise<T> {
  // The CommonJS module object (what Emscripten's require('os') sees); an ESM namespace is read-only.
  const nodeOs = req('node:os') as { cpus: () => os.CpuInfo[] };
  const original = nodeOs.cpus;
  const patched = (): os.CpuInfo[] => {
    const cpus = original();
    const out = cpus.slice(0, 2 * threads);
    while (out.length < 2 * threads) out.push(cpus[0]);
    return out;
  };
  nodeOs.cpus = patched;
  try {
    return await fn();
  } finally {
    nodeOs.cpus = original;
  }
}

let registeredThreads = 0;
let stockFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | null = null;

/** Threads the registered threaded wasm backend was built for (0 when it is not registered). */
export function wasmThreadsRegistered(): number {
  return registeredThreads;
}

/**
 * Register the threaded wasm build as the 'wasm' backend with `threads` XNNPACK threads. Call it
 * before the wasm backend is first initialised (initBackend does); afterwards it throws, because
 * replacing a live backend would dispose every tensor on it.
 */
export async function registerThreadedWasm(threads: number): Promise<void> {
  if (!Number.isInteger(threads) || threads < 2 || threads > 64) {
    throw new Error(`registerThreadedWasm: threads must be an integer in 2..64; got ${String(threads)}`);
  }
  if (registeredThreads === threads) return;
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  if (engine.registry.wasm !== undefined) {
    throw new Error(
      'registerThreadedWasm: the wasm backend is already initialised; set the thread count before the first initBackend/tf.setBackend call',
    );
  }
  const entry = resolveWasmPackage();
  const req = createRequire(entry);
  const wasmOut = path.join(path.dirname(entry), '..', 'wasm-out');
  const factoryPath = path.join(wasmOut, FACTORY_FILE);
  if (!fs.existsSync(factoryPath)) {
    throw new Error(
      `the threaded wasm build is missing (${factoryPath}); reinstall @tensorflow/tfjs-backend-wasm`,
    );
  }
  const factory = req(factoryPath) as ThreadedFactory;
  const wasmPkg = req(entry) as WasmPackage;
  const worker = workerScript(req, wasmOut);
  // Re-registering under the same name needs the old factory removed first (tfjs warns otherwise).
  const previous = tf.findBackendFactory('wasm');
  if (previous !== null) {
    if (registeredThreads === 0) stockFactory = previous;
    tf.removeBackend('wasm');
  }
  tf.registerBackend(
    'wasm',
    () =>
      withReportedCores(req, threads, async () => {
        const module = await factory({
          locateFile: (file: string) => (file.endsWith('.worker.js') ? worker : path.join(wasmOut, file)),
          // The pthread workers load the factory with importScripts(path) = fs.readFileSync + eval.
          mainScriptUrlOrBlob: factoryPath,
        });
        module.tfjs = {
          init: module.cwrap('init', null, []),
          initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
          getThreadsCount: module.cwrap('get_threads_count', 'number', []),
          registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
          disposeData: module.cwrap('dispose_data', null, ['number']),
          dispose: module.cwrap('dispose', null, []),
        };
        wasmPkg.setThreadsCount(threads);
        const backend = new wasmPkg.BackendWasm(module);
        // Idle pthread workers must not keep the process alive once the program is done.
        for (const w of [...module.PThread.unusedWorkers, ...module.PThread.runningWorkers]) w.unref();
        return backend;
      }),
    WASM_PRIORITY,
  );
  registeredThreads = threads;
}

/**
 * Put tfjs-backend-wasm's own single-threaded factory back under 'wasm' (after the threaded build
 * failed to start, or to compare the two). No-op when the threaded build was never registered.
 */
export function restoreSingleThreadedWasm(): void {
  if (registeredThreads === 0 || stockFactory === null) return;
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  if (engine.registry.wasm !== undefined) {
    throw new Error('restoreSingleThreadedWasm: the wasm backend is already initialised');
  }
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', stockFactory, WASM_PRIORITY);
  registeredThreads = 0;
}
