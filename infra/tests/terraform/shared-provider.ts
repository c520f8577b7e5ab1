import { stopChildProcess } from '@ingest-lake/local-emulators';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AWS_PROVIDER_VERSION, findProviderMirror, pluginCacheDir, unpackedAwsProviderDir } from '../../src/terraform/terraform-cli';
import { TERRAFORM_CACHE } from './support';

/**
 * One hashicorp/aws provider process for a whole deploy suite, which every Terraform command of the
 * suite reattaches to through `TF_REATTACH_PROVIDERS` (Terraform's documented way to run against a
 * provider started apart, made for debugging providers).
 *
 * Why: measured here, a managed `terraform validate` of one stack costs 5.5 CPU-seconds, of which the
 * core hashes the 700 MB provider binary against the lock file (~0.9 s) and launches the provider
 * twice (~1.5 s each); reattached, 3.1 s. A deploy suite runs ~100 such commands, so this is about
 * 40 % of the Terraform CPU of `npm test`, on a 2-core machine that `npm test` keeps busy.
 *
 * What it leaves out, and where that is still checked: `init` does not install or lock the
 * reattached provider, so the lock file and the pinned version are judged by validate.test.ts,
 * which runs the managed provider exactly as CodeBuild does. Plan, apply, refresh and destroy are
 * the same provider code either way. A managed provider runs in its stack's folder, where the stacks'
 * relative file names (the Lambda zips under `assets/`) resolve; the shared one runs in a folder that
 * holds every stack's assets (asset folders are named for the construct and the content hash, so they
 * never collide), and deploy-moto.test.ts checks that each file resolves from its own stack folder
 * too. Every stack of an environment configures the provider alike
 * (region, default tags) and the provider reads credentials and endpoints from its own environment
 * (start it with the environment Terraform would give it), so commands run at once may share it.
 */
export interface SharedProvider {
  /** Add to Terraform's environment. */
  env: { TF_REATTACH_PROVIDERS: string };
  stop(): Promise<void>;
}

const BINARY = new RegExp(`^terraform-provider-aws_v${AWS_PROVIDER_VERSION.replace(/\./g, '\\.')}(_x\\d+)?$`);
const START_TIMEOUT_MS = 60_000;
/** The provider holds no state worth a clean shutdown. */
const STOP_GRACE_MS = 3_000;

/** The unpacked provider binary: in the mirror (unpacked layout) or in the plugin cache filled from a packed one. */
export function providerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const places = [findProviderMirror(env), pluginCacheDir(TERRAFORM_CACHE)].map(unpackedAwsProviderDir);
  for (const dir of places) {
    const name = existsSync(dir) ? readdirSync(dir).find((file) => BINARY.test(file)) : undefined;
    if (name) return path.join(dir, name);
  }
  throw new Error(`no unpacked terraform-provider-aws ${AWS_PROVIDER_VERSION} in ${places.join(' or ')}`);
}

/** A folder whose `assets/<asset>/<hash>/` are links to those of every given stack folder. */
function folderWithAllAssets(stackDirs: string[]): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ingest-shared-provider-'));
  for (const stackDir of stackDirs) {
    const assets = path.join(stackDir, 'assets');
    if (!existsSync(assets)) continue;
    for (const asset of readdirSync(assets)) {
      mkdirSync(path.join(folder, 'assets', asset), { recursive: true });
      for (const hash of readdirSync(path.join(assets, asset))) {
        const link = path.join(folder, 'assets', asset, hash);
        if (!existsSync(link)) symlinkSync(path.join(assets, asset, hash), link);
      }
    }
  }
  return folder;
}

/**
 * Starts the provider in debug mode and resolves once it printed its reattach configuration.
 * `stackDirs`: the synthesized stack folders whose assets the provider must find.
 */
export async function startSharedProvider(env: NodeJS.ProcessEnv, stackDirs: string[]): Promise<SharedProvider> {
  const cwd = folderWithAllAssets(stackDirs);
  // A custom CA bundle (AWS_CA_BUNDLE, set on machines behind a TLS proxy) makes the provider's second
  // configure in one process fail ("unable to add custom RootCAs HTTPClient": the AWS base library wraps
  // its HTTP client once). The shared provider only talks to moto, plain HTTP on loopback.
  const { AWS_CA_BUNDLE: _unused, ...providerEnv } = env;
  const child: ChildProcess = spawn(providerBinary(env), ['-debug'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: providerEnv });
  let output = '';
  const reattach = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the provider printed no reattach configuration within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
    const read = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
      const match = /TF_REATTACH_PROVIDERS='(\{.*\})'/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the provider exited (${code}) before it could be reattached:\n${output}`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
    throw error;
  });
  // The provider logs every request it serves: keep reading so its pipes never fill.
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    env: { TF_REATTACH_PROVIDERS: reattach },
    stop: async () => {
      await stopChildProcess(child, STOP_GRACE_MS);
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
