import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // __filename in the ESM build too: the wasm loaders resolve tfjs-backend-wasm's files relative to it.
  shims: true,
});
