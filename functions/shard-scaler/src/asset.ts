import path from 'node:path';

/**
 * Where this package's build (`npm run build`) writes its deterministic Lambda bundle
 * (`lambda.zip`, `asset.json`): what infra deploys. Its own subpath (`./asset`), so infra reads it
 * without loading the function's code.
 */
export const SHARD_SCALER_BUNDLE_DIR = path.resolve(__dirname, '../dist');
