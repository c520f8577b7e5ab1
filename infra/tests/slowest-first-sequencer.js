// Jest runs this package's suites on three workers. The Terraform-on-moto suites take minutes each and the
// rest seconds: they start first, the longest first, so the two long ones run side by side from the
// start instead of one waiting behind the other (without a timing cache, jest orders by file size).
const Sequencer = require('@jest/test-sequencer').default;

const LONGEST_FIRST = ['pipeline-scripts.test.ts', 'deploy-moto.test.ts', 'validate.test.ts'];
const rank = (test) => {
  const index = LONGEST_FIRST.findIndex((name) => test.path.endsWith(`/tests/terraform/${name}`));
  return index < 0 ? LONGEST_FIRST.length : index;
};

class SlowestFirstSequencer extends Sequencer {
  sort(tests) {
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowestFirstSequencer;
