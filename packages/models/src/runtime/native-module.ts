/**
 * Loading @loop/models' native kernels (native/*.c, WebAssembly SIMD, built by
 * scripts/build-native.mjs): each is a tiny module that imports tfjs-backend-wasm's own linear
 * memory, so it reads and writes tensors in place, by address.
 */

/** The parts of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The wasm backend's linear memory (Emscripten keeps it as asm.memory or wasmMemory). */
export function wasmMemoryOf(wasmModule: unknown): WasmMemory | undefined {
  const m = wasmModule as { asm?: { memory?: unknown }; wasmMemory?: unknown } | undefined;
  const memory = m?.asm?.memory ?? m?.wasmMemory;
  return memory instanceof wasmApi.Memory ? memory : undefined;
}

/** One bound export per memory (a re-created backend has a new module and memory); null = unavailable. */
export type NativeInstances<F> = WeakMap<WasmMemory, F | null>;

function decode(base64: string): Uint8Array {
  return Uint8Array.from(Buffer.from(base64, 'base64'));
}

/**
 * The module's export bound to this memory (the shared-memory build for tfjs' threaded backend), or
 * null where it cannot run (no WebAssembly SIMD, or a memory the module cannot import); instantiated
 * once per memory and cached in `instances`.
 */
export function nativeExport<F>(
  instances: NativeInstances<F>,
  memory: WasmMemory,
  plain: string,
  shared: string,
  exportName: string,
): F | null {
  const known = instances.get(memory);
  if (known !== undefined) return known;
  let fn: F | null;
  try {
    const isShared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new wasmApi.Module(decode(isShared ? shared : plain));
    const instance = new wasmApi.Instance(module, { env: { memory } });
    fn = (instance.exports[exportName] as F | undefined) ?? null;
  } catch {
    fn = null;
  }
  instances.set(memory, fn);
  return fn;
}
