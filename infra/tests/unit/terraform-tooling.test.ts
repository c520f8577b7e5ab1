import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployOrder, forEachStackInOrder, type SynthesizedStack } from '../../src/terraform/stack-manifest';
import {
  AWS_PROVIDER_VERSION,
  PROVIDER_MIRROR_VARIABLE,
  TerraformUnavailableError,
  findProviderMirror,
  offlineTerraformEnv,
  terraformVersion,
} from '../../src/terraform/terraform-cli';

const temporary: string[] = [];
afterAll(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'terraform-tooling-'));
  temporary.push(dir);
  return dir;
};

/** A mirror folder holding the pinned AWS provider, unpacked for this platform or packed (zip only). */
function fakeMirror(layout: 'unpacked' | 'packed'): string {
  const mirror = tempDir();
  const versionDir = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', AWS_PROVIDER_VERSION);
  mkdirSync(layout === 'unpacked' ? path.join(versionDir, 'linux_amd64') : versionDir, { recursive: true });
  return mirror;
}

describe('the provider mirror', () => {
  test('named by the environment variable', () => {
    const mirror = fakeMirror('unpacked');
    expect(findProviderMirror({ [PROVIDER_MIRROR_VARIABLE]: mirror })).toBe(mirror);
  });

  test('a named folder without the pinned provider is an error naming the folder and the version', () => {
    const empty = tempDir();
    expect(() => findProviderMirror({ [PROVIDER_MIRROR_VARIABLE]: empty })).toThrow(TerraformUnavailableError);
    expect(() => findProviderMirror({ [PROVIDER_MIRROR_VARIABLE]: empty })).toThrow(`${empty} holds no registry.terraform.io/hashicorp/aws/${AWS_PROVIDER_VERSION}/`);
  });

  test('a version no mirror holds is an error that says how to make a mirror', () => {
    expect(() => findProviderMirror({}, '0.0.1')).toThrow(/terraform providers mirror/);
  });
});

describe('the CLI configuration', () => {
  test('an unpacked mirror is linked from, with no plugin cache (nothing to copy)', () => {
    const mirror = fakeMirror('unpacked');
    const cache = tempDir();
    const env = offlineTerraformEnv(cache, { [PROVIDER_MIRROR_VARIABLE]: mirror });
    const config = readFileSync(env.TF_CLI_CONFIG_FILE!, 'utf8');
    expect(config).toContain(`path    = ${JSON.stringify(mirror)}`);
    expect(config).toContain('exclude = ["registry.terraform.io/hashicorp/*"]');
    expect(config).not.toContain('plugin_cache_dir');
    expect(env).toMatchObject({ CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' });
  });

  test('Terraform missing from PATH is an error saying what to install', () => {
    expect(() => terraformVersion('no-such-terraform')).toThrow(/install Terraform ≥ 1\.10/);
  });
});

describe('stack order', () => {
  const stack = (name: string, dependencies: string[] = []): SynthesizedStack => ({ name, dir: `/x/${name}`, dependencies });
  const stacks = [stack('monitoring', ['delivery', 'lake']), stack('delivery', ['catalog', 'lake']), stack('catalog', ['lake']), stack('lake'), stack('network', ['lake'])];

  test('every stack after the stacks it reads', () => {
    const order = deployOrder(stacks).map((s) => s.name);
    for (const s of stacks) for (const d of s.dependencies) expect(order.indexOf(d)).toBeLessThan(order.indexOf(s.name));
  });

  test('a cycle is refused before anything runs', async () => {
    const cyclic = [stack('a', ['b']), stack('b', ['a'])];
    const work = jest.fn(async () => undefined);
    await expect(forEachStackInOrder(cyclic, work)).rejects.toThrow(/cycle: a → b → a|cycle: b → a → b/);
    expect(work).not.toHaveBeenCalled();
  });

  test.each([false, true])('concurrent work respects dependencies (reverse: %s) and never exceeds the limit', async (reverse) => {
    const finished: string[] = [];
    let running = 0;
    let peak = 0;
    await forEachStackInOrder(
      stacks,
      async (s) => {
        const before = reverse ? stacks.filter((o) => o.dependencies.includes(s.name)).map((o) => o.name) : s.dependencies;
        expect(before.filter((d) => !finished.includes(d))).toEqual([]);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        finished.push(s.name);
      },
      { concurrency: 2, reverse },
    );
    expect(finished.sort()).toEqual(stacks.map((s) => s.name).sort());
    expect(peak).toBe(2);
  });

  test('the first failure stops new work and is thrown', async () => {
    const started: string[] = [];
    await expect(
      forEachStackInOrder(stacks, async (s) => {
        started.push(s.name);
        if (s.name === 'lake') throw new Error('lake failed');
      }),
    ).rejects.toThrow('lake failed');
    expect(started).toEqual(['lake']);
  });
});
