import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from './esbuild-node-options';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeDeterministicZip } from './deterministic-zip';

/**
 * Bundles one Lambda handler into `<outDir>/index.js` and a deterministic `<outDir>/lambda.zip`,
 * plus `<outDir>/asset.json` ({ sha256, bytes, handler }) that infra reads to deploy it.
 * Usage (from the function's folder): tsx ../../scripts/bundle-lambda.ts src/handler.ts dist
 */
export async function bundleLambda(entry: string, outDir: string): Promise<{ sha256: string; bytes: number }> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const outfile = path.join(outDir, 'index.js');
  await build({
    ...NODE_BUNDLE_OPTIONS,
    // The Lambda Node.js runtime ships SDK v3; bundling it anyway pins the version we test.
    entryPoints: [entry],
    outfile,
  });
  const asset = await writeDeterministicZip(path.join(outDir, 'lambda.zip'), [
    { sourcePath: outfile, nameInZip: 'index.js' },
    { sourcePath: `${outfile}.map`, nameInZip: 'index.js.map' },
  ]);
  await writeFile(path.join(outDir, 'asset.json'), `${JSON.stringify({ ...asset, handler: 'index.handler' }, null, 2)}\n`);
  return asset;
}

if (require.main === module) {
  const [entry, outDir] = process.argv.slice(2);
  if (!entry || !outDir) {
    console.error('usage: bundle-lambda <entry.ts> <outDir>');
    process.exit(2);
  }
  bundleLambda(entry, outDir).then(
    (asset) => console.log(`${outDir}/lambda.zip ${asset.bytes} bytes sha256=${asset.sha256}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
