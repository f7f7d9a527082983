import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * SHA-256 of native/<name>.c followed by the local headers it includes, in order, and
 * native/flags.json: what scripts/build-native.mjs records in the generated module, so an edited
 * source, shared header or flag without a rebuild fails the test.
 */
export function nativeSourceSha256(name: string): string {
  const dir = join(__dirname, '..', '..', 'native');
  const text = readFileSync(join(dir, `${name}.c`));
  const hash = createHash('sha256').update(text);
  for (const [, header] of text.toString('utf8').matchAll(/^#include "([^"]+)"/gm)) {
    hash.update(readFileSync(join(dir, header as string)));
  }
  hash.update(readFileSync(join(dir, 'flags.json')));
  return hash.digest('hex');
}

type WasmMemory = import('../../src').WasmMemory;
const WasmApi = (globalThis as unknown as { WebAssembly: { Memory: new (d: object) => WasmMemory } })
  .WebAssembly;

/** A fresh WebAssembly memory of `pages` 64 KiB pages, plain or shared (as tfjs' threaded build has). */
export function testMemory(shared = false, pages = 1): WasmMemory {
  return new WasmApi.Memory(shared ? { initial: pages, maximum: 65536, shared: true } : { initial: pages });
}
