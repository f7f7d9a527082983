// The WebGPU backend in Node: Dawn's Node binding (the optional `webgpu` package) provides
// navigator.gpu, @tensorflow/tfjs-backend-webgpu (optional too) the kernels. Both are found at run
// time, like tfjs-node-gpu. Reads are made synchronous in webgpu-sync-read.ts.
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import { registerChunkedAddN } from './webgpu-addn';
import { installSyncRead, isWebGpuBackend, watchDawnEvents, withCapture } from './webgpu-sync-read';

/** The adapter WebGPU runs on, as Dawn reports it. */
export interface WebGpuAdapter {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU implementation (llvmpipe, lavapipe, SwiftShader): correct but slower than wasm. */
  software: boolean;
}

// Dynamic specifiers held in variables so bundlers do not try to resolve optional packages.
const DAWN_SPEC = 'webgpu';
const BACKEND_SPEC = ['@tensorflow', 'tfjs-backend-webgpu'].join('/');

/** How the two optional packages are loaded: from node_modules by default. */
export interface WebGpuModules {
  dawn: () => Promise<unknown>;
  backend: () => Promise<unknown>;
}
/** The adapter started on, and the one probe of Dawn's default adapter per process. */
let active: WebGpuAdapter | null = null;
let probed: Promise<{ dawn: DawnModule; gpu: Gpu; info: WebGpuAdapter }> | null = null;
let modules: WebGpuModules = {
  dawn: () => import(/* @vite-ignore */ /* webpackIgnore: true */ DAWN_SPEC),
  backend: () => import(/* @vite-ignore */ /* webpackIgnore: true */ BACKEND_SPEC),
};

/**
 * Load `webgpu` and `@tensorflow/tfjs-backend-webgpu` another way, e.g. from a bundle that contains
 * them (`() => import('webgpu')` written where the bundler sees it). Call before `initBackend`.
 */
export function setWebGpuModules(m: WebGpuModules): void {
  modules = m;
  if (active === null) probed = null;
}

export const WEBGPU_INSTALL_HINT =
  'install `npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0` next to @loop/models and a Vulkan driver (Debian 12: mesa-vulkan-drivers from bookworm-backports gives the software llvmpipe device; the Debian 12 build is too old for Dawn)';

/** The parts of Dawn's objects used here (structural: no dependency on @webgpu/types). */
interface GpuAdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: string }): Promise<{
    info?: GpuAdapterInfo;
    isFallbackAdapter?: boolean;
  } | null>;
}
interface DawnModule {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}

/** Load Dawn and ask for its default adapter (nothing global is changed yet). */
async function probeAdapter(): Promise<{ dawn: DawnModule; gpu: Gpu; info: WebGpuAdapter }> {
  // Dawn's Vulkan loader warns without it.
  process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
  const dawn = (await modules.dawn()) as DawnModule;
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter (is a Vulkan driver installed?)');
  return { dawn, gpu, info: describeAdapter(adapter.info ?? {}, adapter.isFallbackAdapter === true) };
}

/** The adapter the webgpu backend was started on (null when `startWebGpu` has not succeeded). */
export function webgpuAdapter(): WebGpuAdapter | null {
  return active;
}

/** Dawn's description of an adapter; software when Dawn says so or the driver is a known CPU one. */
export function describeAdapter(info: GpuAdapterInfo, fallback: boolean): WebGpuAdapter {
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const description = info.description || info.device || '';
  const software =
    fallback ||
    architecture === 'software' ||
    /llvmpipe|lavapipe|swiftshader|software rasterizer/i.test(`${vendor} ${description}`);
  return { vendor, architecture, description, software };
}

/**
 * Start tfjs' webgpu backend on Dawn's default adapter. With `requireHardware` (what `auto` asks
 * for) a software adapter is refused before anything global is touched: it is much slower than wasm.
 */
export async function startWebGpu(requireHardware: boolean): Promise<WebGpuAdapter> {
  if (active !== null) {
    if (requireHardware && active.software)
      throw new Error(`only a software adapter (${active.description})`);
    if (!(await tf.setBackend('webgpu'))) throw new Error("tf.setBackend('webgpu') returned false");
    return active;
  }
  // One Dawn instance per process: a later `auto` does not probe again.
  probed ??= probeAdapter();
  const { dawn, gpu, info } = await probed;
  if (requireHardware && info.software)
    throw new Error(
      `only a software adapter (${info.description}), slower than wasm; ask for --backend webgpu to use it`,
    );
  // From here on the process is changed, and undone if the backend does not start: Dawn's
  // globals (tfjs-backend-webgpu registers itself on import only where navigator.gpu exists) and
  // the watch on its event scheduling (requestDevice, in the backend's start, schedules).
  watchDawnEvents();
  const undo = installGlobals(dawn.globals, gpu);
  try {
    await modules.backend();
    if (!(await withCapture(() => tf.setBackend('webgpu'))))
      throw new Error("tf.setBackend('webgpu') returned false");
    const backend: unknown = tf.backend();
    if (!isWebGpuBackend(backend))
      throw new Error('the installed tfjs-backend-webgpu is not the 4.22 this runtime knows; install 4.22.0');
    installSyncRead(backend);
    registerChunkedAddN();
  } catch (err) {
    try {
      tf.removeBackend('webgpu');
    } catch {
      // never registered
    }
    undo();
    throw err;
  }
  active = info;
  return info;
}

/** Dawn's GPU* globals and navigator.gpu where missing; returns what puts them back. */
function installGlobals(globals: Record<string, unknown>, gpu: Gpu): () => void {
  const added = Object.keys(globals).filter((k) => !(k in globalThis));
  for (const k of added) Object.assign(globalThis, { [k]: globals[k] });
  const g = globalThis as { navigator?: { gpu?: Gpu } };
  const hadNavigator = g.navigator !== undefined;
  if (!hadNavigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  else if (g.navigator!.gpu === undefined)
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  return () => {
    for (const k of added) delete (globalThis as Record<string, unknown>)[k];
    if (!hadNavigator) delete g.navigator;
    else if (g.navigator!.gpu === gpu) delete g.navigator!.gpu;
  };
}

/** An adapter as log lines and reports print it: vendor / architecture (or "software") / description. */
export function formatAdapter(a: WebGpuAdapter): string {
  return [a.vendor, a.software ? 'software' : a.architecture, a.description]
    .filter((x) => x !== '')
    .join(' / ');
}
