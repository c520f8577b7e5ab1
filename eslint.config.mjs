// One lint configuration for every workspace (each runs `eslint` from its own folder).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layout rule (decision 0019): packages import each other only through their public entry;
// product packages never import local/ or test tooling; CDKTF only inside infra/.
// One `no-restricted-imports` per group of files, since a later setting replaces an earlier one.
const throughEntryOnly = [
  {
    // The named subpaths of the exports maps are the only ways in besides ".".
    regex: String.raw`^@ingest-lake/(?!vendor-simulator/testing$|collector-ec2/manifests$|(shard-scaler|firehose-transform|collector-ec2)/asset$)[^/]+/`,
    message: 'import a package through its entry ("." or a subpath in its exports map), never its files',
  },
  {
    regex: String.raw`^(\.\./)+(shared|functions|collector-ec2|local|infra|tests)/`,
    message: 'this relative path leaves the package: import the other package by name (@ingest-lake/...)',
  },
];
const noLocalOrTestTooling = {
  group: ['@ingest-lake/local-runtime', '@ingest-lake/local-emulators', '@ingest-lake/vendor-simulator', '@ingest-lake/vendor-simulator/*', '@ingest-lake/tests'],
  message: 'product code never imports local/ or test tooling (decision 0019): they may import the product, not the reverse',
};
const noCdktf = { group: ['cdktf', 'cdktf/*', '@cdktf/*', 'constructs'], message: 'CDK for Terraform is used only inside infra/ (decision 0019)' };
const productSources = ['shared/src/**', 'functions/*/src/**', 'collector-ec2/src/**', 'infra/src/**'];
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: [...throughEntryOnly, ...patterns] }] });

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/cdktf.out/**', '**/.gen/**', '**/coverage/**', '**/.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  { rules: restrict(noCdktf) },
  { files: ['infra/**'], rules: restrict() },
  { files: productSources, ignores: ['infra/**'], rules: restrict(noLocalOrTestTooling, noCdktf) },
  { files: ['infra/src/**'], rules: restrict(noLocalOrTestTooling) },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
