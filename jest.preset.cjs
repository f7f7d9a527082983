// Shared jest setup: TypeScript through swc (type checks run separately with tsc),
// workspace packages resolved to their sources via the "@loop/source" export condition.
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['@loop/source', 'node', 'require', 'default'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/'],
  testTimeout: 120000,
  reporters: ['default', require.resolve('./tools/jest-count-reporter.cjs')],
};
