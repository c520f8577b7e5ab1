import path from 'node:path';

/** Paths inside the repository that the local runtime uses. */
const root = path.resolve(__dirname, '../../..');
export const REPO_PATHS = {
  root,
  /** Local state: S3 emulator objects, checkpoints, vendor cache, dashboard. Gitignored. */
  localDir: path.join(root, '.local'),
  transformBundle: path.join(root, 'functions/firehose-transform/dist/index.js'),
  collectorBundle: path.join(root, 'collector-ec2/dist/collector.cjs'),
  /** The live dashboard's browser page, bundled with its chart library by `npm run build` (esbuild). */
  dashboardPageDir: path.join(root, 'local/runtime/dist/dashboard-page'),
  collectorManifest: path.join(root, 'collector-ec2/manifests/app_market.local.json'),
  /** The environment configs the stacks are synthesized from; the local stack reads one of them. */
  infraConfigDir: path.join(root, 'infra/config'),
};
