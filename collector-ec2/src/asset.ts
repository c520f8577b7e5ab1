import path from 'node:path';

/**
 * Where this package's build (`npm run build`) writes its bundle, `collector.cjs` and its source
 * map: what infra publishes in a collector release. Its own subpath (`./asset`), with the manifests'
 * folder, so infra reads them without loading the collector's code.
 */
export const COLLECTOR_BUNDLE_DIR = path.resolve(__dirname, '../dist');

/** The manifests this package ships: `*.json` for AWS (published with the bundle), `*.local.json` for the local runtime. */
export const COLLECTOR_MANIFESTS_DIR = path.resolve(__dirname, '../manifests');
