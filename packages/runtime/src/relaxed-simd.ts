import { setFlagsFromString } from 'node:v8';

/**
 * Whether this process compiles WebAssembly relaxed SIMD, which the fused product build
 * (native/matmul.c with LOOP_FUSED) needs for its f32x4.relaxed_madd.
 *
 * Why the V8 flag: relaxed SIMD is a finished WebAssembly standard, compiled by default from Node
 * 22 (V8 12) on; Node 20's V8 has it behind --experimental-wasm-relaxed-simd. The flag only lets
 * modules that use these instructions compile (tfjs' own module does not), so it is switched on
 * here, once, where the fused build is wanted and the engine does not compile the probe without it.
 */

/** A module with one function (v128, v128, v128) -> v128 computing f32x4.relaxed_madd. */
// prettier-ignore
const PROBE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) -> v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // code
]);

interface WebAssemblyValidate {
  validate(bytes: Uint8Array): boolean;
}

function compilesProbe(): boolean {
  const wasm = (globalThis as unknown as { WebAssembly?: WebAssemblyValidate }).WebAssembly;
  try {
    return wasm !== undefined && wasm.validate(PROBE);
  } catch {
    return false;
  }
}

let supported: boolean | undefined;

/** Whether relaxed SIMD compiles here, switching on Node 20's flag for it the first time (cached). */
export function relaxedSimdSupported(): boolean {
  if (supported !== undefined) return supported;
  supported = compilesProbe();
  if (!supported) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // not V8, or flags locked: the unfused build runs
    }
    supported = compilesProbe();
  }
  return supported;
}

/**
 * Whether the native product kernel runs its fused build: relaxed SIMD available and not switched
 * off with `LOOP_NATIVE_FMA=0` (the unfused build's products are bitwise tfjs' own).
 */
export function fusedProductsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LOOP_NATIVE_FMA !== '0' && relaxedSimdSupported();
}
