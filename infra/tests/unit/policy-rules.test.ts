import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { LocalBackend, TerraformStack, Testing } from 'cdktf';
import { rmSync } from 'node:fs';
import { enforcePolicies } from '../../src/aspects/policy-aspect';
import { checkPolicies, POLICY_RULE_NAMES, type StackJson } from '../../src/aspects/policy-rules';
import { ConfigError, loadEnvironmentConfig, parseEnvironmentConfig } from '../../src/config/environment-config';
import { SecureBucket } from '../../src/constructs/secure-bucket';

const tags = { project: 'p', environment: 'e', owner: 'o', 'cost-centre': 'c' };
const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A stack holding only the fixture's resources, with compliant provider tags unless told otherwise. */
function fixture(build: (stack: TerraformStack) => void, providerTags: Record<string, string> = tags): TerraformStack {
  const app = Testing.app();
  outdirs.push(app.outdir);
  const stack = new TerraformStack(app, 'fixture');
  new LocalBackend(stack, { path: 'fixture.tfstate' });
  new AwsProvider(stack, 'aws', { region: 'ap-northeast-2', defaultTags: [{ tags: providerTags }] });
  build(stack);
  enforcePolicies(stack);
  return stack;
}

const violations = (stack: TerraformStack) => checkPolicies(JSON.parse(Testing.synth(stack)) as StackJson).map((v) => v.rule);

const cases: Array<[string, (stack: TerraformStack) => void, Record<string, string>?]> = [
  ['s3-encryption', (s) => new S3Bucket(s, 'plain', { bucket: 'plain' })],
  ['s3-public-access', (s) => new S3Bucket(s, 'plain', { bucket: 'plain' })],
  ['s3-tls-only', (s) => new S3Bucket(s, 'plain', { bucket: 'plain' })],
  ['kinesis-encryption', (s) => new KinesisStream(s, 'stream', { name: 's', shardCount: 1 })],
  [
    'firehose-encryption',
    (s) => new KinesisFirehoseDeliveryStream(s, 'fh', { name: 'fh', destination: 'extended_s3', extendedS3Configuration: { roleArn: 'arn:r', bucketArn: 'arn:b' } }),
  ],
  ['logs-encryption-retention', (s) => new CloudwatchLogGroup(s, 'logs', { name: 'l' })],
  ['athena-results-encryption', (s) => new AthenaWorkgroup(s, 'wg', { name: 'wg' })],
  ['ec2-imdsv2-no-public-ip', (s) => new LaunchTemplate(s, 'lt', { name: 'lt', keyName: 'my-key', metadataOptions: { httpTokens: 'optional' } })],
  [
    'no-open-ingress',
    (s) => new SecurityGroup(s, 'sg', { name: 'sg', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] }] }),
  ],
  [
    'iam-no-wildcard-admin',
    (s) => {
      const document = new DataAwsIamPolicyDocument(s, 'admin', { statement: [{ actions: ['*'], resources: ['*'] }] });
      new IamRolePolicy(s, 'policy', { role: 'r', policy: document.json });
    },
  ],
  [
    'iam-no-account-wildcard',
    (s) => {
      const document = new DataAwsIamPolicyDocument(s, 'any-account', { statement: [{ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:ap-northeast-2:*:parameter/x'] }] });
      new IamRolePolicy(s, 'policy', { role: 'r', policy: document.json });
    },
  ],
  ['iam-managed-policy-attachments', (s) => new IamRole(s, 'role', { name: 'r', assumeRolePolicy: '{}', managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] })],
  ['sns-encryption', (s) => new SnsTopic(s, 'topic', { name: 't' })],
  ['tags-everywhere', (s) => new SnsTopic(s, 'topic', { name: 't', kmsMasterKeyId: 'k' }), { project: 'p' }],
];

describe('policy rules: each violating fixture fails synth with a clear message', () => {
  test('every rule has a fixture here', () => {
    expect(cases.map(([rule]) => rule).sort()).toEqual([...POLICY_RULE_NAMES].sort());
  });

  // Rows padded to three values: jest would take a missing third argument for a done callback.
  test.each(cases.map(([rule, build, providerTags]) => [rule, build, providerTags ?? tags] as const))('%s', (rule, build, providerTags) => {
    const stack = fixture(build, providerTags);
    expect(violations(stack)).toContain(rule);
    expect(() => Testing.synth(stack, true)).toThrow(new RegExp(`policy ${rule}: `));
  });

  test('the SecureBucket construct satisfies every bucket rule', () => {
    const stack = fixture((s) => {
      const key = { arn: 'arn:aws:kms:ap-northeast-2:111122223333:key/k' } as never;
      new SecureBucket(s, 'secure', { bucketName: 'secure', kmsKey: key });
    });
    expect(violations(stack)).toEqual([]);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  test('resource policies with principals (KMS key, bucket policy) are not identity grants', () => {
    const stack = fixture((s) => {
      const document = new DataAwsIamPolicyDocument(s, 'key-policy', {
        statement: [{ principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::1:root'] }], actions: ['kms:*'], resources: ['*'] }],
      });
      new SnsTopic(s, 'topic', { name: 't', kmsMasterKeyId: 'k', policy: document.json });
    });
    expect(violations(stack)).toEqual([]);
  });
});

describe('environment config', () => {
  test('the shipped dev and prod configs are valid', () => {
    expect(loadEnvironmentConfig('dev').streaming.mode).toBe('on-demand');
    expect(loadEnvironmentConfig('prod').backend.type).toBe('s3');
  });

  test.each([
    [{ delivery: { bufferIntervalSeconds: 30, bufferSizeMb: 64, lambdaBufferSizeMb: 1, lambdaBufferIntervalSeconds: 60 } }, 'delivery.bufferIntervalSeconds'],
    [{ network: { cidr: '10.0.0.0/8', azCount: 2, natGateways: 'none' } }, 'network.cidr'],
    [{ streaming: { mode: 'provisioned', retentionHours: 24 } }, 'streaming.shardCount'],
    [{ bi: { enabled: true } }, 'bi.quicksightPrincipalArn: required when bi.enabled'],
    [{ backend: { type: 's3', bucket: 'b' } }, 'backend.keyPrefix'],
  ])('%j is refused, naming the field', (change, field) => {
    const config = { ...loadEnvironmentConfig('dev'), ...change };
    expect(() => parseEnvironmentConfig(config, 'test.json')).toThrow(ConfigError);
    expect(() => parseEnvironmentConfig(config, 'test.json')).toThrow(field);
  });
});
