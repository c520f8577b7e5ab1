import { stopChildProcess } from '@ingest-lake/local-emulators';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AWS_PROVIDER_VERSION, findProviderMirror, pluginCacheDir, unpackedAwsProviderDir } from '../../src/terraform/terraform-cli';
import { TERRAFORM_CACHE } from './support';

/**
 * A few hashicorp/aws provider processes for a whole deploy suite, which its Terraform commands
 * reattach to through `TF_REATTACH_PROVIDERS` (Terraform's documented way to run against a provider
 * started apart, made for debugging providers), one command per process at a time.
 *
 * Why: measured here, a managed `terraform validate` of one stack costs 5.5 CPU-seconds, of which the
 * core hashes the 700 MB provider binary against the lock file (~0.9 s) and launches the provider
 * twice (~1.5 s each); reattached, 3.1 s. A deploy suite runs ~100 such commands, so this is about
 * 40 % of the Terraform CPU of `npm test`, on a 2-core machine that `npm test` keeps busy.
 *
 * Why one command per process: the provider is written for one Terraform at a time. Its
 * ConfigureProvider fills the one client object of the process in place, without a lock (the cached
 * service clients are replaced, and the HTTP client is set only "while client.Session is nil":
 * `internal/conns/config.go` and `awsclient.go` of terraform-provider-aws 5.x). Commands run one after
 * another on a process, each configuring it alike, as a suite's commands do; two at once on one
 * process could see each other's half-made configuration. So the suite gets as many processes as it
 * runs commands at once, and `terraform` on the suite's PATH is a wrapper that takes a free process
 * (an exclusive `flock` held until Terraform exits) and runs the real Terraform reattached to it.
 *
 * What it leaves out, and where that is still checked: `init` does not install or lock the
 * reattached provider, so the lock file and the pinned version are judged by validate.test.ts,
 * which runs the managed provider exactly as CodeBuild does. Plan, apply, refresh and destroy are
 * the same provider code either way. A managed provider runs in its stack's folder, where the stacks'
 * relative file names (the Lambda zips under `assets/`) resolve; the shared ones run in a folder that
 * holds every stack's assets (asset folders are named for the construct and the content hash, so they
 * never collide), and deploy-moto.test.ts checks that each file resolves from its own stack folder
 * too. Every stack of an environment configures the provider alike (region, default tags) and the
 * provider reads credentials and endpoints from its own environment (start it with the environment
 * Terraform would give it).
 */
export interface SharedProviders {
  /** Add to Terraform's environment: PATH starts with the wrapper's folder. */
  env: { PATH: string };
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

/** Starts one provider in debug mode; resolves with its reattach configuration once it printed it. */
async function startProvider(env: NodeJS.ProcessEnv, cwd: string): Promise<{ child: ChildProcess; reattach: string }> {
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
        child.stdout!.off('data', read);
        child.stderr!.off('data', read);
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
    throw error;
  });
  // The provider logs every request it serves: keep reading so its pipes never fill.
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, reattach };
}

/** The Terraform that PATH finds in `env`. */
function realTerraform(env: NodeJS.ProcessEnv): string {
  const found = (env.PATH ?? '')
    .split(path.delimiter)
    .map((dir) => path.join(dir, 'terraform'))
    .find((file) => existsSync(file));
  if (!found) throw new Error('terraform is not on PATH');
  return found;
}

/**
 * `terraform` for the suite: takes the first provider whose lock it can hold (polling while all are
 * busy), and runs the real Terraform with the lock's descriptor open, so the lock lasts exactly as
 * long as that Terraform process.
 */
function wrapperScript(terraform: string, slots: string): string {
  return `#!/usr/bin/env bash
# Written by infra/tests/terraform/shared-provider.ts for one test suite: Terraform reattached to a
# provider process that no other Terraform uses while this one runs.
set -euo pipefail
while :; do
  for slot in ${JSON.stringify(slots)}/*.reattach; do
    exec {lock}>"$slot.lock"
    if flock -n "$lock"; then
      TF_REATTACH_PROVIDERS=$(<"$slot")
      export TF_REATTACH_PROVIDERS
      exec ${JSON.stringify(terraform)} "$@"
    fi
    exec {lock}>&-
  done
  sleep 0.2
done
`;
}

/**
 * Starts `processes` providers (as many as the suite runs Terraform commands at once) and a
 * `terraform` wrapper that hands each command one of them alone. `stackDirs`: the synthesized stack
 * folders whose assets the providers must find.
 */
export async function startSharedProviders(env: NodeJS.ProcessEnv, stackDirs: string[], processes: number): Promise<SharedProviders> {
  const folder = folderWithAllAssets(stackDirs);
  const slots = path.join(folder, '.provider-slots');
  mkdirSync(slots);
  const started = await Promise.allSettled(Array.from({ length: processes }, () => startProvider(env, folder)));
  const children = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value.child] : []));
  const stop = async () => {
    await Promise.all(children.map((child) => stopChildProcess(child, STOP_GRACE_MS)));
    rmSync(folder, { recursive: true, force: true });
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  started.forEach((result, index) => {
    if (result.status === 'fulfilled') writeFileSync(path.join(slots, `${index}.reattach`), result.value.reattach);
  });
  const bin = path.join(folder, '.bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'terraform'), wrapperScript(realTerraform(env), slots), { mode: 0o755 });
  return { env: { PATH: `${bin}${path.delimiter}${env.PATH ?? ''}` }, stop };
}
