// Builds each native/*.c kernel into the two WebAssembly modules @loop/runtime embeds (one importing
// a plain memory for tfjs' single-threaded wasm build, one importing a shared memory for its
// threaded build; matmul also both again with fused multiply-adds, relaxed SIMD) and writes them,
// base64, to src/generated/native-<name>.ts with the source's SHA-256 (a test checks it,
// so an edited source without a rebuild fails CI). Needs clang
// and wasm-ld with the wasm32 target (Debian: apt-get install clang lld).
// Usage: node scripts/build-native.mjs [matmul|gelu|sum|normalize|softmax|adam ...]   (default: all)
import { execFileSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Each module: its source, its one export, and the prefix of the generated constants. */
// fused: also a build with each multiply-add fused (-DLOOP_FUSED, relaxed SIMD's f32x4.relaxed_madd).
const MODULES = {
  matmul: { exportName: 'batch_matmul_f32', prefix: 'NATIVE_MATMUL', fused: true },
  gelu: { exportName: 'gelu_f32', prefix: 'NATIVE_GELU' },
  sum: { exportName: 'sum_f32', prefix: 'NATIVE_SUM' },
  normalize: { exportName: 'normalize_f32', prefix: 'NATIVE_NORMALIZE' },
  softmax: { exportName: 'softmax_grad_f32', prefix: 'NATIVE_SOFTMAX' },
  adam: { exportName: 'adam_f32', prefix: 'NATIVE_ADAM' },
};
// The compiler and linker flags (native/flags.json): part of the recorded hash, so changed flags
// without a rebuild fail the test as an edited source does. No entry point, the memory imported,
// no stack reserved (the code must not use one: checked below).
const FLAGS_FILE = join(root, 'native', 'flags.json');
const FLAGS = JSON.parse(readFileSync(FLAGS_FILE, 'utf8'));
const variants = {
  plain: [...FLAGS.common, ...FLAGS.link],
  shared: [...FLAGS.common, ...FLAGS.sharedCompile, ...FLAGS.link, ...FLAGS.sharedLink],
};

// Node 20 compiles relaxed SIMD only behind this flag (Node 22 and later: by default).
setFlagsFromString('--experimental-wasm-relaxed-simd');
const fusedFlags = FLAGS.fused;

/** The payload offset of a wasm binary's code section (id 10). */
function codeSectionStart(bytes) {
  const code = sections(bytes).find((x) => x.id === 10);
  if (code === undefined) throw new Error('no code section');
  return code.start;
}

/**
 * Clang 14 emits the fused multiply-add under relaxed SIMD's prototype opcode (f32x4.fma, 0xfd
 * 0xaf 0x01), which engines no longer accept; rewrite each, found by disassembly, to the standard
 * f32x4.relaxed_madd (0xfd 0x85 0x02, the same length and operands). Newer clang emits the standard
 * one already. `text` is the file's disassembly. Returns the number of fused multiply-adds; any other
 * prototype relaxed op is an error.
 */
function standardRelaxedOpcodes(file, text, name) {
  const bytes = readFileSync(file);
  const code = codeSectionStart(bytes);
  let count = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*([0-9a-f]+):((?: [0-9a-f]{2})+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const op = m[3];
    if (op === 'f32x4.relaxed_madd') count++;
    else if (op === 'f32x4.fma') {
      const at = code + parseInt(m[1], 16);
      if (bytes[at] !== 0xfd || bytes[at + 1] !== 0xaf || bytes[at + 2] !== 0x01)
        throw new Error(`${name}: unexpected bytes for f32x4.fma at ${m[1]}`);
      bytes[at + 1] = 0x85;
      bytes[at + 2] = 0x02;
      count++;
    } else if (/relaxed|fma|fms|laneselect/.test(op)) throw new Error(`${name}: unexpected relaxed op ${op}`);
  }
  writeFileSync(file, bytes);
  return count;
}

/** The sections of a wasm binary: id (1 type, 2 import, 8 start, 10 code, 11 data, ...) and payload start. */
function sections(bytes) {
  const out = [];
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p++];
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++];
      size |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    out.push({ id, start: p });
    p += size;
  }
  return out;
}

/** Section ids of a wasm binary (1 type, 2 import, 8 start, 11 data, 12 data count, ...). */
function sectionIds(bytes) {
  return sections(bytes).map((x) => x.id);
}

/** The module's disassembly, by the first llvm-objdump found. */
function disassemble(file) {
  for (const tool of ['llvm-objdump', 'llvm-objdump-14', 'llvm-objdump-15', 'llvm-objdump-16']) {
    try {
      return execFileSync(tool, ['-d', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
  }
  throw new Error('llvm-objdump not found (Debian: apt-get install llvm or clang)');
}

/**
 * SHA-256 of a C source followed by the local headers it includes (`#include "x.h"`, in order) and
 * native/flags.json, so an edited shared header or changed flags also show as a stale build;
 * test/helpers/native-source.ts does the same.
 */
function sourceSha256(file) {
  const text = readFileSync(file);
  const hash = createHash('sha256').update(text);
  for (const [, header] of text.toString('utf8').matchAll(/^#include "([^"]+)"/gm)) {
    hash.update(readFileSync(join(dirname(file), header)));
  }
  hash.update(readFileSync(FLAGS_FILE));
  return hash.digest('hex');
}

function build(name, { exportName, prefix, fused }) {
  const source = join(root, 'native', `${name}.c`);
  const target = join(root, 'src', 'generated', `native-${name}.ts`);
  const dir = mkdtempSync(join(tmpdir(), 'loop-native-'));
  const out = {};
  try {
    const builds = Object.entries(variants);
    if (fused)
      for (const [v, flags] of Object.entries(variants))
        builds.push([`${v}Fused`, [...fusedFlags, ...flags]]);
    for (const [variant, flags] of builds) {
      const file = join(dir, `${variant}.wasm`);
      execFileSync('clang', [...flags, '-o', file, source], { stdio: 'inherit' });
      // Disassembled before any patching (llvm 14's objdump stops at a standard relaxed opcode).
      const text = disassemble(file);
      if (variant.endsWith('Fused') && standardRelaxedOpcodes(file, text, `${name} ${variant}`) === 0)
        throw new Error(`${name} ${variant}: no fused multiply-add in the fused build`);
      const bytes = readFileSync(file);
      const ids = sectionIds(bytes);
      // A data segment or a start function would write into tfjs' memory at instantiation.
      if (ids.includes(8) || ids.includes(11) || ids.includes(12))
        throw new Error(
          `${name} ${variant}: the module has a start function or data segments (sections ${ids.join(',')})`,
        );
      const module = new WebAssembly.Module(bytes);
      const exports = WebAssembly.Module.exports(module).map((e) => e.name);
      if (exports.join() !== exportName)
        throw new Error(`${name} ${variant}: unexpected exports ${exports.join()}`);
      // The only global is the linker's stack pointer; code that reads it would use a stack.
      if (/global\.(get|set)/.test(text))
        throw new Error(`${name} ${variant}: the code uses the stack pointer`);
      out[variant] = bytes.toString('base64');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sha = sourceSha256(source);
  const ts = `// Generated by scripts/build-native.mjs from native/${name}.c: do not edit.
/** SHA-256 of native/${name}.c, the local headers it includes and native/flags.json, when these modules were built. */
export const ${prefix}_SOURCE_SHA256 = '${sha}';
/** The module importing a plain memory (tfjs' single-threaded wasm build). */
export const ${prefix}_PLAIN =
  '${out.plain}';
/** The module importing a shared memory (tfjs' threaded wasm build). */
export const ${prefix}_SHARED =
  '${out.shared}';
${
  fused
    ? `/** The fused build (multiply-adds fused, relaxed SIMD) importing a plain memory. */
export const ${prefix}_PLAIN_FUSED =
  '${out.plainFused}';
/** The fused build importing a shared memory. */
export const ${prefix}_SHARED_FUSED =
  '${out.sharedFused}';
`
    : ''
}`;
  writeFileSync(`${target}.tmp`, ts);
  renameSync(`${target}.tmp`, target);
  const chars = Object.values(out).reduce((n, b64) => n + b64.length, 0);
  console.log(`wrote ${target} (${chars} base64 chars)`);
}

const names = process.argv.slice(2);
for (const name of names) {
  if (!(name in MODULES))
    throw new Error(`unknown module ${name}: one of ${Object.keys(MODULES).join(', ')}`);
}
for (const name of names.length > 0 ? names : Object.keys(MODULES)) build(name, MODULES[name]);
