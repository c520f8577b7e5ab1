// Shared jest settings: @swc/jest compiles TypeScript (type checking runs separately with tsc).
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
};
