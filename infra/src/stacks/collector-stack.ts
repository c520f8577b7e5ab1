import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingSchedule } from '@cdktf/provider-aws/lib/autoscaling-schedule';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
// The bundle and manifests a release publishes, where the collector package builds and keeps them.
import { COLLECTOR_BUNDLE_DIR, COLLECTOR_MANIFESTS_DIR } from '@ingest-lake/collector-ec2/asset';
import {
  appMarket,
  collectorMetricDimensions,
  COLLECTOR_METRICS_NAMESPACE,
  COLLECTOR_QUARANTINE_PREFIX,
  COLLECTOR_STATE_PREFIX,
  curatedLocation,
  dimensionDatasets,
  LAKE_ZONES,
  SNAPSHOTS_COMPLETED_METRIC,
  VENDOR_HEADER_DRIFT_METRIC,
  vendorApiKeyParameterName,
  vendorDatasets,
} from '@ingest-lake/shared';
import { directDeliveryDatasets } from '../config/collector-bulk-delivery';
import { collectorWindows, dailyCron, readCollectorTimers, type CollectorWindow } from '../config/collector-schedule';
import { resourceName, type EnvironmentConfig } from '../config/environment-config';
import { streamNameFor } from './streaming-stack';
import { EncryptedLogGroup } from '../constructs/encrypted-log-group';
import type { KinesisDataStream } from '../constructs/kinesis-data-stream';
import type { LakeKey } from '../constructs/lake-key';
import { grantPutMetricData } from '../constructs/metric-data-grants';
import type { SecureBucket } from '../constructs/secure-bucket';
import { SecureStringParameter } from '../constructs/secure-string-parameter';
import { ServiceRole } from '../constructs/service-role';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';

/** Root volume: the OS plus twice the largest bulk file (download + its verification pass), rounded up. */
export function collectorVolumeGb(config: EnvironmentConfig): number {
  return Math.ceil(config.collector.largestBulkFileGb * 2) + 20;
}

/** One file of a collector release: its name inside the release and where it is read from. */
export interface CollectorReleaseFile {
  /** Path inside the release, e.g. `collector.cjs`, `manifests/app_market.json`. */
  name: string;
  /** Absolute path of the file in this checkout. */
  source: string;
  sha256: string;
}

/**
 * A collector release: the bundle and the AWS manifests, each by SHA-256. `sha256sums` is the
 * `SHA256SUMS` file published with them (`sha256sum --check` format) and `id`, the hash of that
 * file, names the release: `s3://<lake>/<artifactPrefix>releases/<id>/`.
 */
export interface CollectorRelease {
  id: string;
  sha256sums: string;
  files: CollectorReleaseFile[];
}

/** Reads the built collector (npm run build) and its manifests; `*.local.json` manifests are for the local runtime only. */
export function collectorRelease(distDir = COLLECTOR_BUNDLE_DIR, manifestsDir = COLLECTOR_MANIFESTS_DIR): CollectorRelease {
  const bundle = path.join(distDir, 'collector.cjs');
  if (!existsSync(bundle)) throw new Error(`no collector bundle at ${bundle}: run \`npm run build\` before synth`);
  const manifests = existsSync(manifestsDir) ? readdirSync(manifestsDir).filter((f) => f.endsWith('.json') && !f.endsWith('.local.json')).sort() : [];
  if (manifests.length === 0) throw new Error(`no collector manifest (*.json, not *.local.json) in ${manifestsDir}`);
  const sources = [
    { name: 'collector.cjs', source: bundle },
    ...(existsSync(`${bundle}.map`) ? [{ name: 'collector.cjs.map', source: `${bundle}.map` }] : []),
    ...manifests.map((file) => ({ name: `manifests/${file}`, source: path.join(manifestsDir, file) })),
  ];
  const files = sources.map((file) => ({ ...file, sha256: createHash('sha256').update(readFileSync(file.source)).digest('hex') }));
  const sha256sums = files.map((file) => `${file.sha256}  ${file.name}\n`).join('');
  return { id: createHash('sha256').update(sha256sums).digest('hex'), sha256sums, files };
}

/** The daily windows the collector instance runs in: one per manifest timer (the timer's schedule is the one source). */
export function collectorInstanceWindows(config: EnvironmentConfig, manifestsDir = COLLECTOR_MANIFESTS_DIR): CollectorWindow[] {
  const { leadMinutes, runWindowMinutes } = config.collector.instanceWindow;
  return collectorWindows(readCollectorTimers(manifestsDir), leadMinutes, runWindowMinutes);
}

/** Where releases live in the lake bucket, `<artifactPrefix>releases/`. */
export function collectorReleasesPrefix(config: EnvironmentConfig): string {
  return `${config.collector.artifactPrefix}releases/`;
}

/** The object naming the release instances install (its whole content is the release id); the collector stack owns it. */
export function collectorReleasePointerKey(config: EnvironmentConfig): string {
  return `${config.collector.artifactPrefix}current-release`;
}

/** Custom metric the instance emits when it cannot install the release: boot and every re-sync. */
export const RELEASE_SYNC_METRIC = { namespace: COLLECTOR_METRICS_NAMESPACE, name: 'ReleaseSyncFailures' } as const;

/**
 * The instance's release sync (bash), run by the user data at boot and by a systemd timer every 5
 * minutes: reads the pointer, downloads `releases/<id>/`, checks that `SHA256SUMS` hashes to the id
 * and every file to its line, switches `/opt/ingest-collector/current`, and regenerates the systemd
 * units from the release's manifests (units of manifests no longer shipped are removed). Any failure
 * emits the metric the alarm watches and exits non-zero. (`COLLECTOR_ROOT`, `COLLECTOR_UNITS_DIR` and
 * `COLLECTOR_NODE` move its paths, for running it outside an instance.)
 */
export function collectorSyncScript(config: EnvironmentConfig, bucket: string): string {
  return `#!/bin/bash
set -euo pipefail
root=\${COLLECTOR_ROOT:-/opt/ingest-collector}
units_dir=\${COLLECTOR_UNITS_DIR:-/etc/systemd/system}
node=\${COLLECTOR_NODE:-/usr/bin/node}
fail() {
  echo "collector release sync failed: $1" >&2
  aws cloudwatch put-metric-data --namespace ${RELEASE_SYNC_METRIC.namespace} --metric-name ${RELEASE_SYNC_METRIC.name} \\
    --dimensions Environment=${config.environment} --value 1 --unit Count || echo "could not emit the failure metric" >&2
  exit 1
}
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR
pointer=s3://${bucket}/${collectorReleasePointerKey(config)}
release=$(aws s3 cp --only-show-errors "$pointer" -) || fail "cannot read $pointer"
[[ $release =~ ^[0-9a-f]{64}$ ]] || fail "$pointer holds no release id"
[[ -f $root/installed-release && $(<"$root/installed-release") == "$release" ]] && exit 0
install -d "$root/releases"
staging=$(mktemp -d "$root/releases/.incoming.XXXXXX")
aws s3 cp --recursive --only-show-errors "s3://${bucket}/${collectorReleasesPrefix(config)}$release/" "$staging/" || fail "cannot download release $release"
[[ -f $staging/SHA256SUMS ]] || fail "release $release is not published under s3://${bucket}/${collectorReleasesPrefix(config)}"
[[ $(sha256sum <"$staging/SHA256SUMS" | cut -d' ' -f1) == "$release" ]] || fail "SHA256SUMS of release $release does not hash to its id"
(cd "$staging" && sha256sum --check --strict --quiet SHA256SUMS) || fail "a file of release $release does not match SHA256SUMS"
rm -rf "\${root:?}/releases/$release"
mv "$staging" "$root/releases/$release"
ln -sfn "$root/releases/$release" "$root/current.next"
mv -T "$root/current.next" "$root/current"
units=$(mktemp -d)
for manifest in "$root"/current/manifests/*.json; do
  "$node" "$root/current/collector.cjs" systemd-units --manifest "$manifest" --bundle "$root/current/collector.cjs" --out "$units" >/dev/null
done
for timer in "$units_dir"/ingest-collector-*.timer; do
  [[ -e $timer ]] || continue
  name=$(basename "$timer" .timer)
  [[ -e $units/$name.timer ]] || { systemctl disable --now "$name.timer" || true; rm -f "$units_dir/$name.timer" "$units_dir/$name.service"; }
done
cp "$units"/* "$units_dir"/
systemctl daemon-reload
for timer in "$units"/*.timer; do systemctl enable --now "$(basename "$timer")"; done
rm -rf "$units"
echo "$release" >"$root/installed-release"
find "$root/releases" -mindepth 1 -maxdepth 1 ! -name "$release" -exec rm -rf {} +
echo "collector release $release installed"
`;
}

/**
 * User data: install Node.js, write settings and the release sync with its 5-minute timer, then
 * install the current release. No secret: only the name of the key's parameter, which overrides the
 * manifest's default. Without a published release the boot fails loudly: the script exits non-zero
 * and the sync emits the metric the release-sync alarm watches; the timer keeps retrying.
 */
/**
 * Node.js for the collector from Amazon Linux 2023's own packages (20, 22 and 24 are namespaced
 * there; the first installed is /usr/bin/node: docs.aws.amazon.com/linux/al2023/ug/nodejs.html).
 * 22, as the Lambdas run: the AWS SDK's releases after the first week of January 2027 need Node >= 22.
 */
export const COLLECTOR_NODE_PACKAGE = 'nodejs22';

export function collectorUserData(config: EnvironmentConfig, bucket: string, streamName: string): string {
  return `#!/bin/bash
set -euo pipefail
trap 'aws cloudwatch put-metric-data --region ${config.region} --namespace ${RELEASE_SYNC_METRIC.namespace} --metric-name ${RELEASE_SYNC_METRIC.name} --dimensions Environment=${config.environment} --value 1 --unit Count || true' ERR
dnf install -y ${COLLECTOR_NODE_PACKAGE}
id ingest-collector >/dev/null 2>&1 || useradd --system --home-dir /var/lib/ingest-collector --shell /sbin/nologin ingest-collector
install -d -o ingest-collector -g ingest-collector /var/lib/ingest-collector
install -d /opt/ingest-collector /etc/ingest-collector
cat > /etc/ingest-collector/collector.env <<ENV
COLLECTOR_LAKE_BUCKET=${bucket}
COLLECTOR_STREAM_NAME=${streamName}
COLLECTOR_LEDGER=s3
COLLECTOR_API_KEY_PARAMETER=${vendorApiKeyParameterName(config.project, config.environment)}
COLLECTOR_METRICS_ENVIRONMENT=${config.environment}
AWS_REGION=${config.region}
ENV
cat > /usr/local/sbin/ingest-collector-sync <<'SYNC'
${collectorSyncScript(config, bucket)}SYNC
chmod 0755 /usr/local/sbin/ingest-collector-sync
cat > /etc/systemd/system/collector-release-sync.service <<'UNIT'
[Unit]
Description=Install the collector release the lake names (by SHA-256) and regenerate its timers
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
Environment=AWS_DEFAULT_REGION=${config.region}
ExecStart=/usr/local/sbin/ingest-collector-sync
UNIT
cat > /etc/systemd/system/collector-release-sync.timer <<'UNIT'
[Unit]
Description=Re-sync the collector release every 5 minutes

[Timer]
OnUnitActiveSec=5min
OnBootSec=5min

[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable --now collector-release-sync.timer
AWS_DEFAULT_REGION=${config.region} /usr/local/sbin/ingest-collector-sync
`;
}

export interface CollectorStackProps extends IngestLakeStackProps {
  vpc: Vpc;
  /** Subnets the instance may run in: the network's egress subnets (a NAT in their AZ, the interface endpoints). */
  subnets: Subnet[];
  /** The lake: raw files, quarantine, state, curated dimensions (and direct data files), the release. */
  lake: SecureBucket;
  /** Encrypts the collector's log group. */
  key: LakeKey;
  /** The stream the data file's rows go to. */
  stream: KinesisDataStream;
  /** The release the instances install. @default the built collector and its manifests in this checkout */
  release?: CollectorRelease;
  /** The daily instance windows. @default collectorInstanceWindows(config): the timers of this checkout's manifests */
  windows?: CollectorWindow[];
  /** The manifests whose `bulk.dataFileDelivery` decides which data files' curated prefixes the role may write. @default COLLECTOR_MANIFESTS_DIR, the collector package's */
  manifestsDir?: string;
}

/**
 * The collector host: Amazon Linux 2023 in a private subnet, IMDSv2 only, encrypted gp3 sized for
 * 2× the largest bulk file, no key pair and no inbound rule (SSM Session Manager instead), an
 * auto-recovering Auto Scaling group of at most one that runs an instance only in the daily windows
 * around the manifests' timers, and an instance profile scoped to what it does. The
 * instance installs the release the stack's pointer object names (by SHA-256) and re-syncs every 5
 * minutes; a release it cannot install raises the release-sync alarm.
 */
export class CollectorStack extends IngestLakeStack {
  readonly group: AutoscalingGroup;
  /** The release this plan points the instances at (apply.sh publishes it before applying this stack). */
  readonly release: CollectorRelease;

  constructor(scope: Construct, props: CollectorStackProps) {
    super(scope, 'collector', props.config);
    const { config } = props;
    this.release = props.release ?? collectorRelease();
    const account = new DataAwsCallerIdentity(this, 'account');
    const logs = new EncryptedLogGroup(this, 'logs', { logGroupName: `/ingest-lake/${config.environment}/collector`, key: props.key });
    const directDatasets = directDeliveryDatasets(props.manifestsDir ?? COLLECTOR_MANIFESTS_DIR);
    const role = new ServiceRole(this, 'role', {
      roleName: this.name('collector'),
      servicePrincipal: 'ec2.amazonaws.com',
      guard: 'none', // an instance profile: only this account's instances can carry it
      managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
    });
    // The producer sends only PutRecords batches; with them the stream key's GenerateDataKey.
    props.stream.grantPutRecords(role);
    new SecureStringParameter({ parameterName: vendorApiKeyParameterName(config.project, config.environment), region: config.region, accountId: account.accountId }).grantRead(role);
    logs.grantWrite(role);
    // The release-sync failure, vendor header-drift and snapshots-completed metrics, and no other namespace.
    grantPutMetricData(role, [RELEASE_SYNC_METRIC.namespace, VENDOR_HEADER_DRIFT_METRIC.namespace, SNAPSHOTS_COMPLETED_METRIC.namespace]);
    // Reads and multipart writes of the lake: with them the key's GenerateDataKey and Decrypt (no Encrypt).
    props.lake.grantWrite(role, LAKE_ZONES.raw);
    props.lake.grantWrite(role, COLLECTOR_QUARANTINE_PREFIX);
    props.lake.grantWrite(role, COLLECTOR_STATE_PREFIX);
    // The collector curates the vendor's dimension files itself (decision 0012), one prefix each.
    props.lake.grantWrite(role, dimensionDatasets.map((dimension) => curatedLocation(dimension.name)));
    // And the data file of each manifest that has it write its rows as Parquet itself (decision 0018).
    if (directDatasets.length > 0) props.lake.grantWrite(role, directDatasets.map((dataset) => curatedLocation(dataset.name)));
    props.lake.grantRead(role, LAKE_ZONES.raw);
    props.lake.grantRead(role, COLLECTOR_STATE_PREFIX);
    props.lake.grantRead(role, config.collector.artifactPrefix);
    const profile = new IamInstanceProfile(this, 'profile', { name: this.name('collector'), role: role.name });
    const securityGroup = new SecurityGroup(this, 'sg', {
      name: this.name('collector'),
      description: 'Collector: no inbound; HTTPS out to the vendor API and AWS endpoints',
      vpcId: props.vpc.id,
      ingress: [],
      egress: [{ description: 'HTTPS out', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] }],
    });
    const ami = new DataAwsSsmParameter(this, 'al2023', { name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' });
    const template = new LaunchTemplate(this, 'template', {
      name: this.name('collector'),
      imageId: ami.value,
      instanceType: config.collector.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      networkInterfaces: [{ associatePublicIpAddress: 'false', securityGroups: [securityGroup.id], deleteOnTermination: 'true' }],
      // Encrypted with the account's EBS default key (aws/ebs unless the account chose another), which
      // the Auto Scaling service-linked role may use without a key-policy statement; the lake key would
      // need two (use, and CreateGrant for AWS resources) or the group never launches an instance.
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: collectorVolumeGb(config), volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } }],
      monitoring: { enabled: true },
      // Names, not cross-stack tokens: the script is plain text, base64-encoded here.
      userData: Buffer.from(collectorUserData(config, resourceName(config, 'lake'), streamNameFor(config, appMarket.dataFile.dataset.name))).toString('base64'),
      tagSpecifications: [{ resourceType: 'instance', tags: { Name: this.name('collector'), role: 'collector' } }, { resourceType: 'volume', tags: { Name: this.name('collector') } }],
    });
    this.group = new AutoscalingGroup(this, 'group', {
      name: this.name('collector'),
      // No desired capacity here: the scheduled actions own it (0 outside the windows, 1 inside), and
      // Terraform leaves an unset desired capacity alone instead of resetting it on the next apply.
      minSize: 0,
      maxSize: 1,
      vpcZoneIdentifier: props.subnets.map((s) => s.id),
      healthCheckType: 'EC2',
      // An explicit version, not `$Latest`: only a changed version starts the instance refresh.
      launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 0 } },
    });
    // The instance exists only around its timers. It boots `leadMinutes` early so the release sync has
    // enabled the timer before it fires (a timer enabled after its time does not catch up on a fresh
    // instance), and is terminated `runWindowMinutes` after the timer: a run still going then is killed
    // and the next day's run starts over; docs/cost.md shows the window against the longest run.
    for (const window of props.windows ?? collectorInstanceWindows(config)) {
      const dataset = path.basename(window.timer.source, '.json').replace(/_/g, '-');
      const common = { autoscalingGroupName: this.group.name, minSize: 0, maxSize: 1, timeZone: 'Etc/UTC' };
      new AutoscalingSchedule(this, `start-${dataset}`, {
        ...common,
        scheduledActionName: `start-before-${dataset}`,
        recurrence: dailyCron(window.scaleOutMinuteOfDay),
        desiredCapacity: 1,
      });
      new AutoscalingSchedule(this, `stop-${dataset}`, {
        ...common,
        scheduledActionName: `stop-after-${dataset}`,
        recurrence: dailyCron(window.scaleInMinuteOfDay),
        desiredCapacity: 0,
      });
    }
    // The release pointer: a new bundle or manifest changes this object (visible in the plan), not the
    // launch template, so the running instance re-syncs within 5 minutes instead of being replaced.
    new S3Object(this, 'release-pointer', {
      bucket: props.lake.bucketName,
      key: collectorReleasePointerKey(config),
      content: this.release.id,
      contentType: 'text/plain',
    });
    // By name: the topic is the monitoring stack's, which is applied after this one (decision 0009).
    const alarmTopicArn = `arn:aws:sns:${config.region}:${account.accountId}:${resourceName(config, 'alarms')}`;
    // The collector compares every file's header with the declared schema and puts this metric when
    // they differ, before it refuses the file or reads it with nulls (decision 0016).
    for (const vendor of vendorDatasets) {
      new CloudwatchMetricAlarm(this, `vendor-header-drift-${vendor.name}`, {
        alarmName: this.name(`vendor-header-drift-${vendor.name.replace(/_/g, '-')}`),
        alarmDescription: `Collector ${vendor.name}: a vendor file's columns differ from the declared schema (the run log's header-drift line names the file and columns; an unknown or missing required column stops the run with exit 7)`,
        namespace: VENDOR_HEADER_DRIFT_METRIC.namespace,
        metricName: VENDOR_HEADER_DRIFT_METRIC.name,
        dimensions: collectorMetricDimensions(config.environment, vendor.name),
        statistic: 'Sum',
        // An hour: the systemd retries of a refused file (every 15 min) keep it in alarm rather than flapping.
        period: 3_600,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [alarmTopicArn],
      });
    }
    new CloudwatchMetricAlarm(this, 'release-sync-failed', {
      alarmName: this.name('collector-release-sync-failed'),
      alarmDescription: 'Collector: an instance could not install the published release (boot or 5-minute re-sync); it runs the previous one or none',
      namespace: RELEASE_SYNC_METRIC.namespace,
      metricName: RELEASE_SYNC_METRIC.name,
      dimensions: { Environment: config.environment },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [alarmTopicArn],
    });
  }
}
