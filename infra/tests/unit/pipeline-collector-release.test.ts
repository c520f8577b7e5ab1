import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnvironmentConfig } from '../../src/config/environment-config';
import { COLLECTOR_BUNDLE_DIR, COLLECTOR_MANIFESTS_DIR } from '@ingest-lake/collector-ec2/asset';
import { collectorRelease, collectorSyncScript, collectorUserData, RELEASE_SYNC_METRIC } from '../../src/stacks/collector-stack';
import { PipelinePlanError, stageCollectorRelease } from '../../src/terraform/pipeline-cli';
import { cleanUpApps, environment, resources, synth } from './support';

/**
 * Artifacts before instances: the collector release (bundle + manifests by SHA-256), the pointer the
 * collector stack owns, the instance's sync (run here with bash against a fake `aws` and `systemctl`),
 * and the alarm a failed sync raises.
 */

afterAll(cleanUpApps);

const dev = loadEnvironmentConfig('dev');
const scratch: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A collector checkout: dist/collector.cjs(.map) and manifests/, with the given manifests. */
function checkout(manifests: Record<string, unknown>, bundle = 'console.log("collector")'): { dist: string; manifests: string } {
  const root = tempDir('collector-checkout-');
  mkdirSync(path.join(root, 'dist'));
  mkdirSync(path.join(root, 'manifests'));
  writeFileSync(path.join(root, 'dist', 'collector.cjs'), bundle);
  writeFileSync(path.join(root, 'dist', 'collector.cjs.map'), '{}');
  for (const [name, body] of Object.entries(manifests)) writeFileSync(path.join(root, 'manifests', name), JSON.stringify(body));
  return { dist: path.join(root, 'dist'), manifests: path.join(root, 'manifests') };
}

describe('a collector release', () => {
  test('the bundle, its source map and the AWS manifests (not *.local.json), each by SHA-256; the id hashes SHA256SUMS', () => {
    const { dist, manifests } = checkout({ 'app_market.json': { dataset: 'app_market' }, 'app_market.local.json': { dataset: 'local' } });
    const release = collectorRelease(dist, manifests);
    expect(release.files.map((f) => f.name)).toEqual(['collector.cjs', 'collector.cjs.map', 'manifests/app_market.json']);
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(release.sha256sums).toBe(`${sha('console.log("collector")')}  collector.cjs\n${sha('{}')}  collector.cjs.map\n${sha('{"dataset":"app_market"}')}  manifests/app_market.json\n`);
    expect(release.id).toBe(sha(release.sha256sums));
  });

  test('a changed manifest is a new release; the same files are the same release', () => {
    const a = collectorRelease(...(Object.values(checkout({ 'm.json': { v: 1 } })) as [string, string]));
    const b = collectorRelease(...(Object.values(checkout({ 'm.json': { v: 1 } })) as [string, string]));
    const c = collectorRelease(...(Object.values(checkout({ 'm.json': { v: 2 } })) as [string, string]));
    expect(a.id).toBe(b.id);
    expect(c.id).not.toBe(a.id);
  });

  test('without a built bundle or an AWS manifest, synth fails saying what to do', () => {
    const { manifests } = checkout({ 'm.json': {} });
    expect(() => collectorRelease(tempDir('empty-dist-'), manifests)).toThrow(/no collector bundle at .*collector\.cjs: run `npm run build` before synth/);
    const { dist } = checkout({ 'only.local.json': {} });
    expect(() => collectorRelease(dist, path.join(dist, '..', 'manifests'))).toThrow(/no collector manifest/);
  });
});

describe('the collector stack', () => {
  const json = synth(environment('dev').collector);
  const release = collectorRelease();

  test('owns the pointer to the release its plan installs: a new release changes the plan, not the launch template', () => {
    expect(resources(json, 'aws_s3_object')).toEqual([
      expect.objectContaining({ key: 'artifacts/collector/current-release', content: release.id, content_type: 'text/plain' }),
    ]);
    const userData = Buffer.from(String(resources(json, 'aws_launch_template')[0]!.user_data), 'base64').toString();
    expect(userData).not.toContain(release.id);
    expect(userData).toContain('s3://ingest-lake-dev-lake/artifacts/collector/current-release');
  });

  test('an alarm fires on the metric a failed release sync emits, to the environment\'s alarm topic', () => {
    // The stack's other alarms (vendor header drift) watch other metrics: stacks.test.ts.
    expect(resources(json, 'aws_cloudwatch_metric_alarm').filter((a) => a.metric_name === RELEASE_SYNC_METRIC.name)).toEqual([
      expect.objectContaining({
        alarm_name: 'ingest-lake-dev-collector-release-sync-failed',
        namespace: RELEASE_SYNC_METRIC.namespace,
        metric_name: RELEASE_SYNC_METRIC.name,
        dimensions: { Environment: 'dev' },
        statistic: 'Sum',
        threshold: 1,
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        treat_missing_data: 'notBreaching',
        alarm_actions: ['arn:aws:sns:ap-northeast-2:${data.aws_caller_identity.account.account_id}:ingest-lake-dev-alarms'],
      }),
    ]);
  });

  test('user data enables the 5-minute re-sync before the first sync, so a boot without the release fails and keeps retrying', () => {
    const userData = collectorUserData(dev, 'ingest-lake-dev-lake', 'stream');
    const lines = userData.trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual(['systemctl enable --now collector-release-sync.timer', 'AWS_DEFAULT_REGION=ap-northeast-2 /usr/local/sbin/ingest-collector-sync']);
    expect(userData).toContain('OnUnitActiveSec=5min');
    // Node 22 from Amazon Linux 2023's packages, installed before anything runs the collector.
    expect(lines[3]).toBe('dnf install -y nodejs22');
    expect(userData).toContain(`trap 'aws cloudwatch put-metric-data --region ap-northeast-2 --namespace ${RELEASE_SYNC_METRIC.namespace} --metric-name ${RELEASE_SYNC_METRIC.name}`);
  });
});

describe('the instance sync, run with bash against a fake S3 and systemd', () => {
  const bucket = 'ingest-lake-dev-lake';
  let root: string;
  let s3: string;
  let env: NodeJS.ProcessEnv;
  let script: string;

  beforeAll(() => {
    root = tempDir('collector-sync-');
    s3 = path.join(root, 's3');
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    // `aws s3 cp` of one object (to stdout) or of a prefix (--recursive: an absent prefix copies nothing and succeeds, as the CLI does).
    writeFileSync(
      path.join(bin, 'aws'),
      `#!/bin/bash
if [[ $1 == cloudwatch ]]; then echo "$*" >>"${root}/metrics"; exit 0; fi
args=("$@"); src=; dst=; recursive=
for a in "\${args[@]}"; do case $a in --recursive) recursive=1 ;; --only-show-errors|s3|cp) ;; *) if [[ -z $src ]]; then src=$a; else dst=$a; fi ;; esac; done
path="${s3}/\${src#s3://}"
if [[ -n $recursive ]]; then [[ -d $path ]] && cp -r "$path/." "$dst"; exit 0; fi
[[ -f $path ]] || { echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key not found" >&2; exit 1; }
cat "$path"
`,
    );
    writeFileSync(path.join(bin, 'systemctl'), `#!/bin/bash\necho "$*" >>"${root}/systemctl"\n`);
    chmodSync(path.join(bin, 'aws'), 0o755);
    chmodSync(path.join(bin, 'systemctl'), 0o755);
    script = path.join(root, 'ingest-collector-sync');
    writeFileSync(script, collectorSyncScript(dev, bucket));
    mkdirSync(path.join(root, 'units'));
    env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, COLLECTOR_ROOT: path.join(root, 'opt'), COLLECTOR_UNITS_DIR: path.join(root, 'units'), COLLECTOR_NODE: process.execPath };
  });

  const sync = () => spawnSync('bash', [script], { env, encoding: 'utf8' });
  const metrics = () => (existsSync(path.join(root, 'metrics')) ? readFileSync(path.join(root, 'metrics'), 'utf8').trim().split('\n') : []);
  const publish = (release: ReturnType<typeof collectorRelease>, tamper?: string) => {
    const dir = path.join(s3, bucket, 'artifacts/collector/releases', release.id);
    for (const file of release.files) {
      mkdirSync(path.dirname(path.join(dir, file.name)), { recursive: true });
      cpSync(file.source, path.join(dir, file.name));
    }
    writeFileSync(path.join(dir, 'SHA256SUMS'), release.sha256sums);
    if (tamper) writeFileSync(path.join(dir, tamper), 'tampered');
  };
  const point = (id: string) => {
    mkdirSync(path.join(s3, bucket, 'artifacts/collector'), { recursive: true });
    writeFileSync(path.join(s3, bucket, 'artifacts/collector/current-release'), id);
  };

  test('no pointer: exits non-zero and emits the failure metric', () => {
    const result = sync();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('collector release sync failed: cannot read s3://ingest-lake-dev-lake/artifacts/collector/current-release');
    expect(metrics()).toEqual(['cloudwatch put-metric-data --namespace IngestLake/Collector --metric-name ReleaseSyncFailures --dimensions Environment=dev --value 1 --unit Count']);
  });

  test('a pointer to a release that was never published: fails loudly, installs nothing', () => {
    point(collectorRelease().id);
    const result = sync();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`release ${collectorRelease().id} is not published under s3://ingest-lake-dev-lake/artifacts/collector/releases/`);
    expect(metrics()).toHaveLength(2);
    expect(existsSync(path.join(root, 'opt', 'current'))).toBe(false);
  });

  test('a tampered file: refused by its SHA-256, installs nothing', () => {
    const release = collectorRelease();
    publish(release, 'manifests/app_market.json');
    const result = sync();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`a file of release ${release.id} does not match SHA256SUMS`);
    expect(existsSync(path.join(root, 'opt', 'current'))).toBe(false);
    rmSync(path.join(s3, bucket, 'artifacts/collector/releases', release.id), { recursive: true });
  });

  test('the published release: installed, its systemd units generated by the bundle itself and enabled; a second run does nothing', () => {
    const release = collectorRelease();
    publish(release);
    const result = sync();
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(readlinkSync(path.join(root, 'opt', 'current'))).toBe(path.join(root, 'opt', 'releases', release.id));
    const service = readFileSync(path.join(root, 'units', 'ingest-collector-app_market.service'), 'utf8');
    expect(service).toContain(`ExecStart=/usr/bin/node --enable-source-maps ${path.join(root, 'opt', 'current', 'collector.cjs')} collect --manifest ${path.join(root, 'opt', 'current', 'manifests', 'app_market.json')}`);
    expect(readFileSync(path.join(root, 'systemctl'), 'utf8')).toBe('daemon-reload\nenable --now ingest-collector-app_market.timer\n');
    expect(sync().status).toBe(0);
    expect(readFileSync(path.join(root, 'systemctl'), 'utf8')).toBe('daemon-reload\nenable --now ingest-collector-app_market.timer\n');
  });

  test('a new release: installed within one sync; units of datasets it no longer ships are disabled and removed; the old release is pruned', () => {
    const first = collectorRelease();
    // A dataset an earlier release collected, whose manifest this release no longer ships.
    writeFileSync(path.join(root, 'units', 'ingest-collector-retired.timer'), '');
    writeFileSync(path.join(root, 'units', 'ingest-collector-retired.service'), '');
    const { dist, manifests } = checkout(
      { 'app_market.json': JSON.parse(readFileSync(path.join(COLLECTOR_MANIFESTS_DIR, 'app_market.json'), 'utf8')) as unknown },
      `${readFileSync(path.join(COLLECTOR_BUNDLE_DIR, 'collector.cjs'), 'utf8')}\n// next build\n`,
    );
    const next = collectorRelease(dist, manifests);
    expect(next.id).not.toBe(first.id);
    publish(next);
    point(next.id);
    const result = sync();
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(readFileSync(path.join(root, 'systemctl'), 'utf8').split('\n').slice(2)).toEqual(['disable --now ingest-collector-retired.timer', 'daemon-reload', 'enable --now ingest-collector-app_market.timer', '']);
    expect(existsSync(path.join(root, 'units', 'ingest-collector-retired.service'))).toBe(false);
    expect(readFileSync(path.join(root, 'opt', 'installed-release'), 'utf8').trim()).toBe(next.id);
    expect(readlinkSync(path.join(root, 'opt', 'current'))).toBe(path.join(root, 'opt', 'releases', next.id));
    expect(existsSync(path.join(root, 'opt', 'releases', first.id))).toBe(false);
  });
});

describe('staging the release into the plan directory', () => {
  test('copies exactly the release the synthesized collector stack points at', () => {
    const { dist, manifests } = checkout({ 'm.json': { a: 1 } });
    const release = collectorRelease(dist, manifests);
    const plandir = tempDir('plandir-');
    const stackDir = path.join(plandir, 'cdktf.out', 'stacks', 'ingest-lake-dev-collector');
    mkdirSync(stackDir, { recursive: true });
    writeFileSync(path.join(stackDir, 'cdk.tf.json'), JSON.stringify({ resource: { aws_s3_object: { 'release-pointer': { content: release.id } } } }));
    expect(stageCollectorRelease(plandir, stackDir, release)).toBe(path.join('collector-release', release.id));
    expect(readFileSync(path.join(plandir, 'collector-release', release.id, 'SHA256SUMS'), 'utf8')).toBe(release.sha256sums);
    expect(readFileSync(path.join(plandir, 'collector-release', release.id, 'manifests', 'm.json'), 'utf8')).toBe('{"a":1}');
  });

  test('refuses when the checkout changed between synth and plan', () => {
    const plandir = tempDir('plandir-');
    writeFileSync(path.join(plandir, 'cdk.tf.json'), JSON.stringify({ resource: { aws_s3_object: { 'release-pointer': { content: 'a'.repeat(64) } } } }));
    const release = collectorRelease(...(Object.values(checkout({ 'm.json': {} })) as [string, string]));
    expect(() => stageCollectorRelease(plandir, plandir, release)).toThrow(PipelinePlanError);
    expect(() => stageCollectorRelease(plandir, plandir, release)).toThrow(`the collector stack points at release ${'a'.repeat(64)}, but the checkout's bundle and manifests are release ${release.id}`);
  });
});
