// Flat config: typescript-eslint with type information for every package's src and tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The package arrows: runtime <- models; tasks <- models <- hessian; tasks, models <- shift; all <-
// bench. A package may import only the packages below it, and never another package's files by
// relative path.
const PACKAGES = ['runtime', 'tasks', 'models', 'hessian', 'shift', 'bench'];
const MAY_IMPORT = {
  runtime: [],
  tasks: [],
  models: ['runtime', 'tasks'],
  hessian: ['runtime', 'tasks', 'models'],
  shift: ['runtime', 'tasks', 'models'],
  bench: ['runtime', 'tasks', 'models', 'hessian', 'shift'],
};
const boundaries = PACKAGES.map((pkg) => {
  const forbidden = PACKAGES.filter((q) => q !== pkg && !MAY_IMPORT[pkg].includes(q));
  return {
    files: [`packages/${pkg}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(forbidden.length
              ? [
                  {
                    group: forbidden.flatMap((q) => [`@loop/${q}`, `@loop/${q}/*`]),
                    message: `@loop/${pkg} may import only ${MAY_IMPORT[pkg].map((q) => `@loop/${q}`).join(', ') || 'no other @loop package'} (runtime <- models; tasks <- models <- hessian; tasks, models <- shift; all <- bench).`,
                  },
                ]
              : []),
            {
              group: PACKAGES.filter((q) => q !== pkg).map((q) => `**/${q}/src/**`),
              message: "Import another package through its entry ('@loop/<name>'), not its files.",
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', '**/coverage/**', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/require-await': 'off',
      // tfjs generics (tf.tidy, op return types) make these assertions the readable choice.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowArray: true, allowNullish: true },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/scripts/**/*.ts', 'tools/dev/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...boundaries,
  {
    // Developer scripts use the packages as a user would: through their entries.
    files: ['tools/dev/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: PACKAGES.map((q) => `**/${q}/src/**`),
              message: "Import a package through its entry ('@loop/<name>'), not its files.",
            },
          ],
        },
      ],
    },
  },
);
