/**
 * A real dynamic `import()` that survives compilation to CommonJS.
 *
 * vega and vega-lite are ESM-only. tsup/esbuild (CJS build) and @swc/jest rewrite a literal
 * `import('vega')` into `require('vega')`, which fails for ESM-only packages. Building the call
 * through `new Function` hides it from those transforms, so Node performs a genuine ESM import in
 * both the ESM and the CJS builds. (Inside jest's VM it still fails without
 * --experimental-vm-modules, so chart rendering is tested in a spawned process.)
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const nativeImport = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

export function importEsm<T>(specifier: string): Promise<T> {
  return nativeImport(specifier) as Promise<T>;
}
