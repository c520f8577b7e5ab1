import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import type { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import { appMarket, vendorApiKeyParameterName } from '@ingest-lake/shared';
import { resourceName, type EnvironmentConfig } from '../config/environment-config';
import { streamNameFor } from './streaming-stack';
import type { LakeKey } from '../constructs/kms-key';
import type { SecureBucket } from '../constructs/lake-bucket';
import { ServiceRole } from '../constructs/service-role';
import { IngestLakeStack } from './ingest-lake-stack';

/** SSM parameter holding the vendor API key (SecureString, created by operators, never in state or user data). */
export function vendorApiKeyParameter(config: EnvironmentConfig): string {
  return vendorApiKeyParameterName(config.project, config.environment);
}

/** Root volume: the OS plus twice the largest bulk file (download + its verification pass), rounded up. */
export function collectorVolumeGb(config: EnvironmentConfig): number {
  return Math.ceil(config.collector.largestBulkFileGb * 2) + 20;
}

/**
 * User data: install Node.js and the collector bundle from the lake, write settings, enable the timer.
 * No secret: only the name of the key's parameter, which overrides the manifest's default.
 */
export function collectorUserData(config: EnvironmentConfig, bucket: string, streamName: string): string {
  return `#!/bin/bash
set -euo pipefail
dnf install -y nodejs20
id ingest-collector >/dev/null 2>&1 || useradd --system --home-dir /var/lib/ingest-collector --shell /sbin/nologin ingest-collector
install -d -o ingest-collector -g ingest-collector /var/lib/ingest-collector
install -d /opt/ingest-collector/manifests /etc/ingest-collector
aws s3 cp s3://${bucket}/${config.collector.artifactKey} /opt/ingest-collector/collector.cjs
aws s3 cp s3://${bucket}/${config.collector.artifactKey}.map /opt/ingest-collector/collector.cjs.map || true
aws s3 cp s3://${bucket}/artifacts/collector/manifests/ /opt/ingest-collector/manifests/ --recursive
cat > /etc/ingest-collector/collector.env <<ENV
COLLECTOR_LAKE_BUCKET=${bucket}
COLLECTOR_STREAM_NAME=${streamName}
COLLECTOR_LEDGER=s3
COLLECTOR_API_KEY_PARAMETER=${vendorApiKeyParameter(config)}
AWS_REGION=${config.region}
ENV
for manifest in /opt/ingest-collector/manifests/*.json; do
  /usr/bin/node /opt/ingest-collector/collector.cjs systemd-units --manifest "$manifest" --out /etc/systemd/system
done
systemctl daemon-reload
systemctl enable --now $(ls /etc/systemd/system/ingest-collector-*.timer | xargs -n1 basename)
`;
}

/**
 * The collector host: Amazon Linux 2023 in a private subnet, IMDSv2 only, encrypted gp3 sized for
 * 2× the largest bulk file, no key pair and no inbound rule (SSM Session Manager instead), an
 * auto-recovering Auto Scaling group of one, and an instance profile scoped to what it does.
 */
export class CollectorStack extends IngestLakeStack {
  readonly group: AutoscalingGroup;

  constructor(
    scope: Construct,
    config: EnvironmentConfig,
    inputs: { vpc: Vpc; privateSubnets: Subnet[]; lake: SecureBucket; key: LakeKey; stream: KinesisStream },
  ) {
    super(scope, 'collector', config);
    const account = new DataAwsCallerIdentity(this, 'account');
    const logs = new CloudwatchLogGroup(this, 'logs', { name: `/ingest-lake/${config.environment}/collector`, retentionInDays: 90, kmsKeyId: inputs.key.key.arn });
    const role = new ServiceRole(this, 'role', {
      roleName: this.name('collector'),
      servicePrincipal: 'ec2.amazonaws.com',
      guard: 'none', // an instance profile: only this account's instances can carry it
      managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
      grants: [
        inputs.lake.grantWrite('raw/'),
        inputs.lake.grantWrite('errors/collector/'),
        inputs.lake.grantWrite('state/collector/'),
        inputs.lake.grantRead('raw/'),
        inputs.lake.grantRead('state/collector/'),
        inputs.lake.grantRead('artifacts/collector/'),
        inputs.key.grantEncryptDecrypt(),
        { actions: ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:DescribeStreamSummary'], resources: [inputs.stream.arn] },
        // A SecureString under the AWS-managed aws/ssm key, whose key policy lets every principal of the
        // account decrypt through Parameter Store: no kms:Decrypt grant. A customer key would need one.
        { actions: ['ssm:GetParameter'], resources: [`arn:aws:ssm:${config.region}:${account.accountId}:parameter${vendorApiKeyParameter(config)}`] },
        { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logs.arn}:*`] },
      ],
    });
    const profile = new IamInstanceProfile(this, 'profile', { name: this.name('collector'), role: role.role.name });
    const securityGroup = new SecurityGroup(this, 'sg', {
      name: this.name('collector'),
      description: 'Collector: no inbound; HTTPS out to the vendor API and AWS endpoints',
      vpcId: inputs.vpc.id,
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
      minSize: 1,
      maxSize: 1,
      desiredCapacity: 1,
      vpcZoneIdentifier: inputs.privateSubnets.map((s) => s.id),
      healthCheckType: 'EC2',
      // An explicit version, not `$Latest`: only a changed version starts the instance refresh.
      launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 0 } },
    });
  }
}
