// The runtime's one entry point: start a backend, then install (each can be left out) the fast
// tape walk, the lean arithmetic and BatchMatMul gradients, the wasm kernels and the second-order
// gradient fixes. It reports what it installed and can undo it, so a test or a comparison can run
// on stock tfjs in the same process. `initBackend` is installRuntime with the defaults.
import * as tf from '@tensorflow/tfjs';
import { ARITHMETIC_GRADIENTS, registerArithmeticGradients } from './arithmetic-gradients';
import {
  startBackend,
  wasmThreads,
  type BackendName,
  type BackendPreference,
  type InitBackendOptions,
} from './backend';
import { FAST_MATMUL_GRADIENT, registerFastMatMulGradient } from './matmul-gradient';
import { enableSecondOrderGradients, SECOND_ORDER_GRADIENTS } from './second-order-gradients';
import { fastGradientsInstalled, installFastGradients, uninstallFastGradients } from './tape-gradients';
import { unregisterWasmKernels, wasmKernelsRegistered } from './wasm-kernels';

export interface RuntimeOptions extends InitBackendOptions {
  /** Which backend: `auto` (default) tries tfjs-node-gpu, tfjs-node, wasm, cpu. */
  backend?: BackendPreference;
  /** The fast tape walk and the lean Add/Sub/Multiply/Sum/Mean/Tile/BatchMatMul gradients (default true). */
  fastTape?: boolean;
  /** On wasm: the native kernels (products, GELU, LayerNorm, softmax, Sum, Adam; default true). */
  native?: boolean;
  /** Gradients that keep Hessian-vector products exact (Exp, Tanh, Softmax, ...; default false). */
  secondOrder?: boolean;
}

/** What `installRuntime` did. */
export interface InstalledRuntime {
  readonly backend: BackendName;
  /** XNNPACK threads of the wasm backend; null on other backends. */
  readonly wasmThreads: number | null;
  /** Kernels whose gradient this call registered (their previous gradients come back on uninstall). */
  readonly gradients: readonly string[];
  /** Whether the wasm kernels are registered and the fast tape walk is installed. */
  readonly nativeKernels: boolean;
  readonly fastTape: boolean;
  /**
   * Restore tfjs' own tape walk, gradients and wasm kernels (idempotent). The backend stays selected,
   * and Node's relaxed-SIMD flag, set once per process, stays set.
   */
  uninstall(): void;
}

/** The gradient registry entries of `names` now (undefined where none is registered). */
function snapshot(names: readonly string[]): Map<string, tf.GradConfig | undefined> {
  return new Map(names.map((n) => [n, tf.getGradient(n)]));
}

/** Start a backend and install the runtime's parts; see `RuntimeOptions` for what each does. */
export async function installRuntime(options: RuntimeOptions = {}): Promise<InstalledRuntime> {
  const { backend: pref = 'auto', fastTape = true, native = true, secondOrder = false, ...rest } = options;
  const log = rest.log ?? ((m: string) => console.error(m));
  const hadKernels = wasmKernelsRegistered();
  const hadTape = fastGradientsInstalled();
  const started = await startBackend(pref, { ...rest, log, native });
  const touched = [
    ...(fastTape ? [FAST_MATMUL_GRADIENT, ...ARITHMETIC_GRADIENTS] : []),
    ...(secondOrder ? SECOND_ORDER_GRADIENTS : []),
  ].map((c) => c.kernelName);
  const before = snapshot(touched);
  if (fastTape) {
    registerFastMatMulGradient();
    registerArithmeticGradients();
    installFastGradients();
  }
  if (secondOrder) enableSecondOrderGradients();
  const gradients = touched.filter((n) => tf.getGradient(n) !== before.get(n));
  const installedKernels = wasmKernelsRegistered() && !hadKernels;
  const installedTape = fastGradientsInstalled() && !hadTape;
  log(started.line);
  let undone = false;
  return {
    backend: started.name,
    wasmThreads: wasmThreads(),
    gradients,
    nativeKernels: wasmKernelsRegistered(),
    fastTape: fastGradientsInstalled(),
    uninstall: () => {
      if (undone) return;
      undone = true;
      for (const n of gradients) {
        const g = before.get(n);
        if (g !== undefined) tf.registerGradient(g);
      }
      if (installedTape) uninstallFastGradients();
      if (installedKernels) unregisterWasmKernels();
    },
  };
}

/**
 * Select and initialise a tfjs backend and install the fast tape walk, the lean gradients and (on
 * wasm) the native kernels: `installRuntime({ backend: pref, ...opts })`, returning the backend.
 */
export async function initBackend(
  pref: BackendPreference = 'auto',
  opts: InitBackendOptions = {},
): Promise<BackendName> {
  return (await installRuntime({ ...opts, backend: pref })).backend;
}
