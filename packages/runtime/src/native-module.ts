/**
 * Loading @loop/runtime's native kernels (native/*.c, WebAssembly SIMD, built by
 * scripts/build-native.mjs): each is a tiny module that imports tfjs-backend-wasm's own linear
 * memory, so it reads and writes tensors in place, by address.
 */
import { fusedProductsWanted, relaxedSimdSupported } from './relaxed-simd';

/** The parts of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** A new plain WebAssembly memory of `pages` 64 KiB pages (for probes outside tfjs' memory). */
export function newWasmMemory(pages = 1): WasmMemory {
  return new wasmApi.Memory({ initial: pages });
}

/** The wasm backend's linear memory (Emscripten keeps it as asm.memory or wasmMemory). */
export function wasmMemoryOf(wasmModule: unknown): WasmMemory | undefined {
  const m = wasmModule as { asm?: { memory?: unknown }; wasmMemory?: unknown } | undefined;
  const memory = m?.asm?.memory ?? m?.wasmMemory;
  return memory instanceof wasmApi.Memory ? memory : undefined;
}

/** A native module's one export, its environment switch, and where it runs. */
export interface NativeModule<F> {
  /** Whether its switch (e.g. `LOOP_NATIVE_GELU=0`) turns it off, for comparisons with tfjs' paths. */
  readonly disabled: (env?: NodeJS.ProcessEnv) => boolean;
  /**
   * The export bound to this memory, or null where it cannot run; instantiated once per memory.
   * fused: the fused build (null where the module has none or it does not compile).
   */
  readonly forMemory: (memory: WasmMemory, fused?: boolean) => F | null;
  /**
   * The export for a wasm backend's Emscripten module (`backend.wasm`), or null when off or
   * unavailable: the fused build where there is one and `fusedProductsWanted()`, else the plain one.
   */
  readonly forWasm: (wasmModule: unknown) => F | null;
}

function decode(base64: string): Uint8Array {
  return Uint8Array.from(Buffer.from(base64, 'base64'));
}

/**
 * A native module from its two embedded builds (plain memory for tfjs' single-threaded wasm build,
 * shared memory for the threaded one); it imports the backend's memory as `env.memory`. Null where
 * it cannot run (no WebAssembly SIMD, or a memory the module cannot import).
 */
export function defineNativeModule<F>(o: {
  plain: string;
  shared: string;
  /** The fused build (relaxed SIMD), if the module has one: `{ plain, shared }`. */
  fused?: { plain: string; shared: string };
  exportName: string;
  switchName: string;
}): NativeModule<F> {
  // One bound export per memory and build (a re-created backend has a new module and memory).
  const instances = [new WeakMap<WasmMemory, F | null>(), new WeakMap<WasmMemory, F | null>()];
  const forMemory = (memory: WasmMemory, fused = false): F | null => {
    const cache = instances[fused ? 1 : 0]!;
    const known = cache.get(memory);
    if (known !== undefined) return known;
    let fn: F | null = null;
    const builds = fused ? o.fused : o;
    if (builds !== undefined && (!fused || relaxedSimdSupported())) {
      try {
        const isShared =
          typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
        const module = new wasmApi.Module(decode(isShared ? builds.shared : builds.plain));
        const instance = new wasmApi.Instance(module, { env: { memory } });
        fn = (instance.exports[o.exportName] as F | undefined) ?? null;
      } catch {
        fn = null;
      }
    }
    cache.set(memory, fn);
    return fn;
  };
  const disabled = (env: NodeJS.ProcessEnv = process.env): boolean => env[o.switchName] === '0';
  return {
    disabled,
    forMemory,
    forWasm: (wasmModule) => {
      if (disabled()) return null;
      const memory = wasmMemoryOf(wasmModule);
      if (memory === undefined) return null;
      return (
        (o.fused !== undefined && fusedProductsWanted() ? forMemory(memory, true) : null) ?? forMemory(memory)
      );
    },
  };
}
