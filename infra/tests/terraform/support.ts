import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../src/app';
import { offlineTerraformEnv, terraformVersion } from '../../src/terraform/terraform-cli';

/** Persistent between runs (gitignored): the shared plugin cache and the CLI config pointing at the mirror. */
export const TERRAFORM_CACHE = path.resolve(__dirname, '../../../.cache/terraform');

/**
 * Terraform ready to run offline: fails with what to install when Terraform or the provider mirror is
 * missing (these suites are part of `npm test`; they do not skip).
 */
export function terraformEnvironment(): NodeJS.ProcessEnv {
  terraformVersion();
  return offlineTerraformEnv(TERRAFORM_CACHE);
}

/**
 * Synthesizes environments into a fresh temporary folder laid out like the repository
 * (`<root>/cdktf.out/stacks/<stack>/`, so dev's local state lands in `<root>/.terraform-state/`).
 */
export function synthesizeInto(environments: string[]): { root: string; outdir: string; cleanUp: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ingest-terraform-'));
  const outdir = path.join(root, 'cdktf.out');
  buildApp(outdir, environments).synth();
  return { root, outdir, cleanUp: () => rmSync(root, { recursive: true, force: true }) };
}
