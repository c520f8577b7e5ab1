// Run by `npm test` after turbo failed: prints the first failure of every failing test file (kept by
// scripts/jest-failure-digest-reporter.cjs), so that the end of the log says what broke. Exits 1.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', '.test-failures');
const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.txt')).sort() : [];
console.error('\n==== npm test failed ====');
if (files.length === 0) console.error('No test file failed: a build, typecheck or lint task did (turbo names it above).');
for (const name of files) {
  console.error(`\n---- ${path.basename(name, '.txt')}: the first failure of each failing test file ----`);
  console.error(readFileSync(path.join(dir, name), 'utf8'));
}
process.exit(1);
