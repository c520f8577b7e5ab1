/** @type {import('jest').Config} */
module.exports = {
  ...require('../jest.preset.js'),
  // The two deploy suites (prod through the pipeline scripts, dev through Terraform) spend most of their
  // time waiting on the provider's waiters and on moto: they run side by side, and the third worker takes
  // terraform validate and the unit suites (jest's default on a 2-core machine is one worker).
  maxWorkers: 3,
  testSequencer: '<rootDir>/tests/slowest-first-sequencer.js',
};
