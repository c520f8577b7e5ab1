// A jest reporter that keeps, per package, the first failure of each failing test file in
// `.test-failures/<package>.txt` at the repository root; `scripts/print-test-failures.cjs` prints them
// at the end of a failed `npm test`. With three packages' output interleaved, the failure that
// matters (often the first of a chain) is otherwise thousands of lines above the end of a CI log.
const { mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { stripVTControlCharacters } = require('node:util');

const FAILURES_DIR = path.join(__dirname, '..', '.test-failures');
/** Lines kept of the first failing test of a file (the root cause); later ones are listed by name. */
const FIRST_FAILURE_LINES = 45;
const LISTED_FAILURES = 8;

class FailureDigestReporter {
  constructor(globalConfig) {
    const { name } = JSON.parse(readFileSync(path.join(globalConfig.rootDir, 'package.json'), 'utf8'));
    this.file = path.join(FAILURES_DIR, `${name.replace(/^@[^/]+\//, '')}.txt`);
  }

  onRunStart() {
    rmSync(this.file, { force: true });
  }

  onRunComplete(_contexts, results) {
    const sections = [];
    for (const suite of results.testResults) {
      const failed = suite.testResults.filter((test) => test.status === 'failed');
      const suiteError = suite.testExecError ? suite.failureMessage ?? suite.testExecError.message : undefined;
      if (failed.length === 0 && !suiteError) continue;
      const where = path.relative(path.join(__dirname, '..'), suite.testFilePath);
      const first = failed[0];
      const message = first ? `● ${first.fullName}\n${first.failureMessages.join('\n')}` : suiteError;
      const lines = stripVTControlCharacters(message)
        .split('\n')
        .filter((line) => line.trim() !== '' && !/^\s*at .*(node_modules|node:internal|<anonymous>)/.test(line));
      sections.push(
        [
          `FAIL ${where} (${failed.length} failed test${failed.length === 1 ? '' : 's'})`,
          ...lines.slice(0, FIRST_FAILURE_LINES).map((line) => `  ${line}`),
          ...(lines.length > FIRST_FAILURE_LINES ? [`  … ${lines.length - FIRST_FAILURE_LINES} more lines`] : []),
          ...failed.slice(1, 1 + LISTED_FAILURES).map((test) => `  then also failed: ${test.fullName}`),
          ...(failed.length > 1 + LISTED_FAILURES ? [`  and ${failed.length - 1 - LISTED_FAILURES} more`] : []),
        ].join('\n'),
      );
    }
    if (sections.length === 0) return;
    mkdirSync(FAILURES_DIR, { recursive: true });
    writeFileSync(this.file, `${sections.join('\n\n')}\n`);
  }
}

module.exports = FailureDigestReporter;
