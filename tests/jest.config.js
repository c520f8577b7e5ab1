/** @type {import('jest').Config} */
module.exports = {
  ...require('../jest.preset.js'),
  testMatch: ['**/e2e/**/*.test.ts', '**/faults/**/*.test.ts'],
  globalSetup: './support/global-setup.ts',
  testTimeout: 180_000,
};
