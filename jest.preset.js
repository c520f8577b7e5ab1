// Shared jest settings: @swc/jest compiles TypeScript (type checking runs separately with tsc).
// The AWS SDK warns once per process that its 2027 releases need Node 22 (this machine runs Node 20.19;
// Lambda runs nodejs22.x): known, recorded in the README, and repeated by every worker and child process it
// buried the failures of a CI log. Tests only: the CLIs still print it to users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Hooks start and stop emulators; on a loaded 2-core CI machine jest's 5 s default failed them.
  testTimeout: 30_000,
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
    // hyparquet and hyparquet-writer ship ES modules only; jest's module system needs CommonJS.
    '/node_modules/hyparquet[^/]*/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!hyparquet)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // The digest is what `npm test` prints last when it fails (scripts/print-test-failures.cjs).
  reporters: ['default', require.resolve('./scripts/jest-failure-digest-reporter.cjs')],
};
