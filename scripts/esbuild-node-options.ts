import type { BuildOptions } from 'esbuild';

/** esbuild settings shared by every Node bundle (Lambdas and the collector CLI): one file, minified, linked source map, reproducible. */
export const NODE_BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
};
