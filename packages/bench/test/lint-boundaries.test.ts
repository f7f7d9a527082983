// `npm run lint` enforces the package arrows (eslint.config.mjs): an upward or sideways import, or a
// relative import of another package's files, is an error; an import down the arrows is not.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');

/** ESLint's messages for `code` as if it were the file `as` (an existing file of that package). */
function lint(code: string, as: string): string {
  const r = spawnSync(
    process.execPath,
    [resolve(ROOT, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', as],
    {
      cwd: ROOT,
      input: code,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return r.stdout + r.stderr;
}

describe('lint: package boundaries', () => {
  it('refuses @loop/tasks importing @loop/models (upward)', () => {
    const out = lint(
      "import { initBackend } from '@loop/models';\nexport const x = initBackend;\n",
      'packages/tasks/src/index.ts',
    );
    expect(out).toMatch(
      /'@loop\/models' import is restricted .* @loop\/tasks may import only no other @loop package/,
    );
  }, 120_000);

  it('refuses @loop/runtime importing @loop/models (the engine sits below the models)', () => {
    const out = lint(
      "import { createLoopedGPT } from '@loop/models';\nexport const m = createLoopedGPT;\n",
      'packages/runtime/src/index.ts',
    );
    expect(out).toMatch(
      /'@loop\/models' import is restricted .* @loop\/runtime may import only no other @loop package/,
    );
  }, 120_000);

  it('refuses @loop/shift importing @loop/hessian (sideways) and another package by relative path', () => {
    const out = lint(
      "import { hvp } from '@loop/hessian';\nimport { gptConfigForTask } from '../../models/src/gpt/config';\nexport const y = [hvp, gptConfigForTask];\n",
      'packages/shift/src/index.ts',
    );
    expect(out).toMatch(/'@loop\/hessian' import is restricted/);
    expect(out).toMatch(/'\.\.\/\.\.\/models\/src\/gpt\/config' import is restricted .* through its entry/);
  }, 120_000);

  it('allows imports down the arrows (bench importing hessian and shift)', () => {
    const out = lint(
      "import { hvp } from '@loop/hessian';\nimport { train } from '@loop/shift';\nexport const z = [hvp, train];\n",
      'packages/bench/src/index.ts',
    );
    expect(out).not.toMatch(/no-restricted-imports/);
  }, 120_000);
});
