import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InfraError } from '../infra-error';

/**
 * The `hashicorp/aws` version the bindings in `@cdktf/provider-aws` were generated for: the only
 * version the synthesized stacks can be validated and deployed with (decision 0008).
 */
export const AWS_PROVIDER_VERSION: string = (
  JSON.parse(readFileSync(require.resolve('@cdktf/provider-aws/package.json'), 'utf8')) as { cdktf: { provider: { version: string } } }
).cdktf.provider.version;

/** Oldest Terraform the stacks accept: the S3 backend's `use_lockfile` arrived in 1.10. */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.10.0';

/** Environment variable naming the folder that holds `registry.terraform.io/` (a filesystem mirror). */
export const PROVIDER_MIRROR_VARIABLE = 'INGEST_TF_PROVIDER_MIRROR';

/** Where provider mirrors usually live; the machine image of this project uses /opt/tf-plugins. */
const MIRROR_CANDIDATES = [
  '/opt/tf-plugins',
  path.join(os.homedir(), '.terraform.d', 'plugins'),
  path.join(os.homedir(), '.local', 'share', 'terraform', 'plugins'),
  '/usr/local/share/terraform/plugins',
  '/usr/share/terraform/plugins',
];

export class TerraformUnavailableError extends InfraError {
  readonly code = 'TERRAFORM_UNAVAILABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerraformUnavailableError';
  }
}

export class TerraformCommandError extends InfraError {
  readonly code = 'TERRAFORM_FAILED';
  constructor(
    readonly args: string[],
    readonly cwd: string,
    readonly exitCode: number | null,
    readonly output: string,
    options?: ErrorOptions,
  ) {
    super(`terraform ${args.join(' ')} failed (exit ${exitCode}) in ${cwd}:\n${output.slice(-6_000)}`, options);
    this.name = 'TerraformCommandError';
  }
}

/** The folder holding `registry.terraform.io/hashicorp/aws/<version>/`, from the variable or the usual places. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env, version = AWS_PROVIDER_VERSION): string {
  const holds = (dir: string) => existsSync(path.join(dir, 'registry.terraform.io', 'hashicorp', 'aws', version));
  const named = env[PROVIDER_MIRROR_VARIABLE];
  if (named) {
    if (holds(named)) return named;
    throw new TerraformUnavailableError(`${PROVIDER_MIRROR_VARIABLE}=${named} holds no registry.terraform.io/hashicorp/aws/${version}/`);
  }
  const found = MIRROR_CANDIDATES.find(holds);
  if (found) return found;
  throw new TerraformUnavailableError(
    `no provider mirror holding hashicorp/aws ${version} in ${MIRROR_CANDIDATES.join(', ')}. ` +
      `Set ${PROVIDER_MIRROR_VARIABLE} to a folder holding registry.terraform.io/hashicorp/aws/${version}/<os_arch>/, ` +
      `e.g. made with \`terraform providers mirror <dir>\` on a machine with registry access.`,
  );
}

/** The installed Terraform's version, or a clear error naming what to install. */
export function terraformVersion(command = 'terraform'): string {
  const result = spawnSync(command, ['version', '-json'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (result.error || result.status !== 0) {
    throw new TerraformUnavailableError(
      `\`${command}\` is not on PATH: install Terraform ≥ 1.10 (https://developer.hashicorp.com/terraform/install; ` +
        `the project's machine image has 1.11.4).`,
      result.error === undefined ? undefined : { cause: result.error },
    );
  }
  return (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version;
}

/** `<os>_<arch>` as Terraform names platforms. */
function terraformPlatform(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64', ia32: '386' } as Record<string, string>)[process.arch] ?? process.arch;
  return `${process.platform}_${arch}`;
}

/** Where a mirror or a plugin cache holds hashicorp/aws unpacked for this platform: `<root>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>`. */
export function unpackedAwsProviderDir(root: string): string {
  return path.join(root, 'registry.terraform.io', 'hashicorp', 'aws', AWS_PROVIDER_VERSION, terraformPlatform());
}

/** The plugin cache `offlineTerraformEnv` fills from a packed mirror. */
export function pluginCacheDir(cacheRoot: string): string {
  return path.join(cacheRoot, 'plugin-cache');
}

/**
 * A Terraform CLI configuration that installs hashicorp providers only from the mirror (offline).
 * From an unpacked mirror (`<version>/<os_arch>/` folders, as on the machine image) every stack's
 * `init` links the 700 MB provider instead of copying it, so the mirror itself is the shared cache;
 * from a packed mirror (zip files), a plugin cache shared by every stack folder, filled once here
 * (Terraform's cache is not safe for concurrent first installs). Returns the environment to run
 * Terraform with.
 */
export function offlineTerraformEnv(cacheRoot: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const mirror = findProviderMirror(env);
  mkdirSync(cacheRoot, { recursive: true });
  const unpacked = existsSync(unpackedAwsProviderDir(mirror));
  const pluginCache = pluginCacheDir(cacheRoot);
  const configFile = path.join(cacheRoot, unpacked ? 'terraform.tfrc' : 'terraform-with-cache.tfrc');
  writeFileSync(
    configFile,
    `# Written by @ingest-lake/infra: providers from the filesystem mirror only${unpacked ? ' (unpacked: linked, not copied)' : ', one shared plugin cache'}.
provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
${unpacked ? '' : `plugin_cache_dir = ${JSON.stringify(pluginCache)}
`}`,
  );
  const terraformEnv = { ...env, TF_CLI_CONFIG_FILE: configFile, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  if (!unpacked) fillPluginCache(cacheRoot, pluginCache, terraformEnv);
  return terraformEnv;
}

/** One `terraform init` of a configuration needing only the AWS provider, so later inits find it cached. */
function fillPluginCache(cacheRoot: string, pluginCache: string, env: NodeJS.ProcessEnv): void {
  mkdirSync(pluginCache, { recursive: true });
  if (existsSync(unpackedAwsProviderDir(pluginCache))) return;
  const dir = mkdtempSync(path.join(cacheRoot, 'fill-'));
  try {
    writeFileSync(
      path.join(dir, 'main.tf.json'),
      JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } } } }),
    );
    const result = spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    if (result.status !== 0) throw new TerraformCommandError(['init'], dir, result.status, `${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one Terraform command in a folder; resolves with its output, rejects with it. */
export function runTerraform(cwd: string, args: string[], env: NodeJS.ProcessEnv, command = 'terraform'): Promise<{ stdout: string; exitCode: number }> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args, '-no-color'], { cwd, env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      if (exitCode === 0) resolve({ stdout, exitCode });
      // `plan -detailed-exitcode` answers 2 for "changes present": a result, not a failure.
      else if (exitCode === 2 && args.includes('-detailed-exitcode')) resolve({ stdout, exitCode });
      else reject(new TerraformCommandError(args, cwd, exitCode, `${stdout}\n${stderr}`, error === null ? undefined : { cause: error }));
    });
  });
}
