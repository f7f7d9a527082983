// The build every package shares: ESM + CJS with declarations and source maps, for Node 20.
import { defineConfig, type Options } from 'tsup';

export function packageBuild(extra: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...extra,
  });
}
