import { build } from 'esbuild';
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
    entryPoints: [entry],
    outfile,
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
  });
  await chmod(outfile, 0o755);
  console.log(`${outfile} bundled`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
