import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from './esbuild-node-options';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Bundles a Node CLI into one self-contained CommonJS file (what the EC2 instance installs).
 * Usage (from the package folder): tsx ../scripts/bundle-cli.ts src/cli.ts dist/collector.cjs
 */
async function main(): Promise<void> {
  const [entry, outfile] = process.argv.slice(2);
  if (!entry || !outfile) throw new Error('usage: bundle-cli <entry.ts> <outfile.cjs>');
  await mkdir(path.dirname(outfile), { recursive: true });
  await build({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: [entry],
    outfile,
  });
  await chmod(outfile, 0o755);
  console.log(`${outfile} bundled`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
