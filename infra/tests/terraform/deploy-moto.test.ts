import { APIGatewayClient, GetIntegrationCommand, GetResourcesCommand, GetRestApisCommand, GetStagesCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { DescribeStreamSummaryCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import type { MotoServer } from '@ingest-lake/local-emulators';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  FIREHOSE_CURATED_PREFIX,
  FIREHOSE_ERROR_PREFIX,
  INGEST_ROUTES,
  glueColumns,
  gluePartitionKeys,
  streamName,
  streamedDatasets,
} from '@ingest-lake/shared';
import { forEachStackInOrder, readStacks, type SynthesizedStack } from '../../src/terraform/stack-manifest';
import { runTerraform } from '../../src/terraform/terraform-cli';
import { motoForTerraform, motoTerraformEnv, pointAtMoto, stateBuckets } from './moto-environment';
import { MOTO_CANNOT_DEPLOY, addressesOf, motoTargets, undeployableOnMoto } from './moto-gaps';
import { synthesizeInto, terraformEnvironment } from './support';

/**
 * The deploy test: the synthesized stacks applied by Terraform to moto, in dependency order, with
 * state passed between stacks through the backends exactly as in a deployment (dev: its local
 * backend as synthesized; an S3 backend talks to a state bucket in moto, in this harness only). Then what exists
 * is read back through the AWS SDK, a second plan must show no changes (no perpetual diffs), and
 * dev is destroyed leaving nothing. What moto cannot deploy is named in moto-gaps.ts and
 * docs/deploy.md, and still validated and planned.
 */

const ACCOUNT = '123456789012'; // moto's default account
const REGION = 'ap-northeast-2';
const DEV = 'ingest-lake-dev-';
const PROD = 'ingest-lake-prod-';

let moto: MotoServer;
let env: NodeJS.ProcessEnv;
let stacks: SynthesizedStack[] = [];
let cleanUp = () => undefined as void;
const applied: string[] = [];
const secondPlans = new Map<string, { exitCode: number; changes: string }>();
const plannedOnly = new Map<string, string>();

// HTTP/1.1: the Kinesis client's default HTTP/2 fails against moto ("Protocol error").
const aws = () => ({ endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler: new NodeHttpHandler() });
const environmentStacks = (prefix: string) => stacks.filter((s) => s.name.startsWith(prefix));

/** The resource lines of a plan that has changes (for the failure message). */
const changedResources = (planOutput: string) =>
  planOutput
    .split('\n')
    .filter((line) => /^\s+# .* (will be|must be)/.test(line) || /^\s+[~+-] /.test(line))
    .slice(0, 60)
    .join('\n');

beforeAll(async () => {
  env = terraformEnvironment();
  moto = motoForTerraform();
  const endpoint = await moto.start();
  env = motoTerraformEnv(env, endpoint);
  const synthesized = synthesizeInto(['dev', 'prod']);
  cleanUp = synthesized.cleanUp;
  stacks = readStacks(synthesized.outdir);
  for (const stack of stacks) pointAtMoto(stack, endpoint);
  // The platform team's state buckets exist before any deploy (this project never creates them).
  const s3 = new S3Client({ ...aws(), forcePathStyle: true });
  for (const bucket of stateBuckets(stacks)) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  }
  s3.destroy();
  // Both environments at once: names differ, and most of an apply is waiting on moto.
  await forEachStackInOrder(
    stacks,
    async (stack) => {
      await runTerraform(stack.dir, ['init', '-input=false'], env);
      const targets = motoTargets(stack);
      if (targets !== 'plan-only') {
        await runTerraform(stack.dir, ['apply', '-auto-approve', '-input=false', ...targets], env);
        applied.push(stack.name);
        const plan = await runTerraform(stack.dir, ['plan', '-detailed-exitcode', '-input=false', ...targets], env);
        secondPlans.set(stack.name, { exitCode: plan.exitCode, changes: changedResources(plan.stdout) });
      }
      if (targets === 'plan-only' || targets.length > 0) plannedOnly.set(stack.name, (await runTerraform(stack.dir, ['plan', '-input=false'], env)).stdout);
    },
    { concurrency: 3 },
  );
}, 1_200_000);

afterAll(async () => {
  await moto?.stop();
  cleanUp();
});

describe('apply in dependency order', () => {
  test('every stack of dev and prod applied, but for the one moto can deploy nothing of (prod bi: QuickSight only)', () => {
    expect([...applied].sort()).toEqual(stacks.map((s) => s.name).filter((name) => name !== `${PROD}bi`).sort());
    expect(motoTargets(stacks.find((s) => s.name === `${PROD}bi`)!)).toBe('plan-only');
  });

  test('a second plan of every stack shows no changes (no perpetual diffs)', () => {
    const drifting = [...secondPlans].filter(([, plan]) => plan.exitCode !== 0).map(([name, plan]) => `${name}:\n${plan.changes}`);
    expect(drifting).toEqual([]);
    expect(secondPlans.size).toBe(applied.length);
  });

  test('what moto cannot deploy is still planned: exactly those resources remain to create', () => {
    for (const [name, planOutput] of plannedOnly) {
      const stack = stacks.find((s) => s.name === name)!;
      const toCreate = planOutput
        .split('\n')
        .map((line) => /^\s+# (\S+) will be created/.exec(line)?.[1])
        .filter((address): address is string => address !== undefined)
        .sort();
      expect({ name, toCreate }).toEqual({ name, toCreate: undeployableOnMoto(stack).sort() });
    }
    // The pipeline (both environments) and prod's QuickSight stack are the only ones with such resources.
    expect([...plannedOnly.keys()].sort()).toEqual([`${DEV}pipeline`, `${PROD}bi`, `${PROD}pipeline`]);
    expect(Object.keys(MOTO_CANNOT_DEPLOY).length).toBeGreaterThan(0);
  });
});

describe('dev, read back through the AWS SDK', () => {
  test('streams: one per streamed dataset, KMS-encrypted with the lake key, on demand', async () => {
    const kinesis = new KinesisClient(aws());
    const kms = new KMSClient(aws());
    try {
      for (const dataset of streamedDatasets) {
        const { StreamDescriptionSummary: summary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName('ingest-lake', 'dev', dataset.name) }));
        expect(summary).toMatchObject({ EncryptionType: 'KMS', StreamModeDetails: { StreamMode: 'ON_DEMAND' }, RetentionPeriodHours: 24 });
        expect(summary!.KeyId).toMatch(new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/`));
        expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: summary!.KeyId }))).toMatchObject({ KeyRotationEnabled: true });
      }
    } finally {
      kinesis.destroy();
      kms.destroy();
    }
  });

  test('the lake key admits CloudWatch Logs (only this account) and CloudWatch alarms (to SNS), and no service it needs not', async () => {
    const kinesis = new KinesisClient(aws());
    const kms = new KMSClient(aws());
    try {
      const { StreamDescriptionSummary: summary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName('ingest-lake', 'dev', 'events') }));
      const policy = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: summary!.KeyId, PolicyName: 'default' }))).Policy!) as {
        Statement: Array<{ Sid: string; Principal: { Service?: string | string[] }; Condition?: Record<string, Record<string, string>> }>;
      };
      const services = policy.Statement.flatMap((s) => [s.Principal.Service ?? []].flat());
      expect(services.sort()).toEqual(['cloudwatch.amazonaws.com', `logs.${REGION}.amazonaws.com`]);
      const logs = policy.Statement.find((s) => s.Sid === 'CloudWatchLogsEncryptsThisAccountsLogGroups')!;
      expect(logs.Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } });
    } finally {
      kinesis.destroy();
      kms.destroy();
    }
  });

  test('the lake bucket: KMS default encryption, public access blocked, access logs, and it accepts a write under its TLS-only policy', async () => {
    const s3 = new S3Client({ ...aws(), forcePathStyle: true });
    try {
      const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name);
      expect(buckets).toEqual(expect.arrayContaining(['ingest-lake-dev-lake', 'ingest-lake-dev-access-logs', 'ingest-lake-dev-pipeline-artifacts']));
      const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'ingest-lake-dev-lake' }));
      expect(encryption.ServerSideEncryptionConfiguration!.Rules![0]!.ApplyServerSideEncryptionByDefault).toMatchObject({ SSEAlgorithm: 'aws:kms' });
      expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'ingest-lake-dev-lake' }))).PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect((await s3.send(new GetBucketLoggingCommand({ Bucket: 'ingest-lake-dev-lake' }))).LoggingEnabled).toMatchObject({ TargetBucket: 'ingest-lake-dev-access-logs' });
      await s3.send(new PutObjectCommand({ Bucket: 'ingest-lake-dev-lake', Key: 'errors/deploy-test/probe.txt', Body: 'probe' }));
    } finally {
      s3.destroy();
    }
  });

  test('Glue tables: columns and partition keys equal the shared schema; the location template is literal', async () => {
    const glue = new GlueClient(aws());
    try {
      for (const dataset of streamedDatasets) {
        const { Table: table } = await glue.send(new GetTableCommand({ DatabaseName: 'ingest_lake_dev_lake', Name: dataset.name }));
        expect(table!.StorageDescriptor!.Columns!.map((c) => ({ name: c.Name, type: c.Type }))).toEqual(glueColumns(dataset).map((c) => ({ name: c.name, type: c.type })));
        expect(table!.PartitionKeys!.map((k) => ({ name: k.Name, type: k.Type }))).toEqual(gluePartitionKeys.map((k) => ({ name: k.name, type: k.type })));
        expect(table!.Parameters!['storage.location.template']).toBe(`s3://ingest-lake-dev-lake/curated/dataset=${dataset.name}/dt=\${dt}/`);
      }
    } finally {
      glue.destroy();
    }
  });

  test('Firehose: reads its stream, the processor is the transform function, curated and error prefixes from shared', async () => {
    const firehose = new FirehoseClient(aws());
    const lambda = new LambdaClient(aws());
    try {
      for (const dataset of streamedDatasets) {
        const suffix = dataset.name.replace(/_/g, '-');
        const { DeliveryStreamDescription: description } = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: `ingest-lake-dev-${suffix}` }));
        expect(description!.Source!.KinesisStreamSourceDescription!.KinesisStreamARN).toBe(`arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${streamName('ingest-lake', 'dev', dataset.name)}`);
        const s3 = description!.Destinations![0]!.ExtendedS3DestinationDescription!;
        expect({ prefix: s3.Prefix, errorPrefix: s3.ErrorOutputPrefix }).toEqual({ prefix: FIREHOSE_CURATED_PREFIX, errorPrefix: FIREHOSE_ERROR_PREFIX });
        const processor = s3.ProcessingConfiguration!.Processors![0]!;
        const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `ingest-lake-dev-transform-${suffix}` }));
        expect(processor.Parameters).toContainEqual({ ParameterName: 'LambdaArn', ParameterValue: `${fn.FunctionArn}:$LATEST` });
        expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
        expect(fn.KMSKeyArn).toMatch(/^arn:aws:kms:/);
      }
    } finally {
      firehose.destroy();
      lambda.destroy();
    }
  });

  test('Firehose role: trust limited to this account (sts:ExternalId)', async () => {
    const iam = new IAMClient(aws());
    try {
      const role = await iam.send(new GetRoleCommand({ RoleName: 'ingest-lake-dev-events' }));
      const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)) as { Statement: Array<{ Condition?: unknown }> };
      expect(trust.Statement[0]!.Condition).toEqual({ StringEquals: { 'sts:ExternalId': ACCOUNT } });
      const roles = (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName);
      expect(roles).toEqual(expect.arrayContaining(['ingest-lake-dev-collector', 'ingest-lake-dev-api-to-kinesis', 'ingest-lake-dev-flow-logs']));
    } finally {
      iam.destroy();
    }
  });

  test('API: stage PROD; each route integrates Kinesis with the shared request template', async () => {
    const api = new APIGatewayClient(aws());
    try {
      const restApi = (await api.send(new GetRestApisCommand({}))).items!.find((a) => a.name === 'ingest-lake-dev-ingest')!;
      expect((await api.send(new GetStagesCommand({ restApiId: restApi.id }))).item!.map((s) => s.stageName)).toEqual(['PROD']);
      const resources = (await api.send(new GetResourcesCommand({ restApiId: restApi.id }))).items!;
      for (const route of INGEST_ROUTES) {
        const resource = resources.find((r) => r.path === route.path)!;
        const integration = await api.send(new GetIntegrationCommand({ restApiId: restApi.id, resourceId: resource.id, httpMethod: 'POST' }));
        expect(integration.uri).toBe(`arn:aws:apigateway:${REGION}:kinesis:action/${route.kinesisAction}`);
        expect(integration.requestTemplates!['application/json']).toBe(route.template(streamName('ingest-lake', 'dev', 'events')));
      }
    } finally {
      api.destroy();
    }
  });

  test('alarms notify an SNS topic encrypted with the lake key', async () => {
    const cloudwatch = new CloudWatchClient(aws());
    const sns = new SNSClient(aws());
    try {
      const topicArn = (await sns.send(new ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn!).find((arn) => arn.endsWith(':ingest-lake-dev-alarms'))!;
      expect((await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes!.KmsMasterKeyId).toMatch(/^arn:aws:kms:/);
      const alarms = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'ingest-lake-dev-' }))).MetricAlarms!;
      expect(alarms.length).toBeGreaterThanOrEqual(10);
      expect(alarms.every((alarm) => alarm.AlarmActions?.includes(topicArn))).toBe(true);
    } finally {
      cloudwatch.destroy();
      sns.destroy();
    }
  });
});

/** Deletes every version and delete marker of a bucket. */
async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])];
    if (entries.length === 0) return;
    for (const entry of entries) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: entry.Key, VersionId: entry.VersionId }));
  }
}

describe('destroy', () => {
  test('dev destroys in reverse dependency order and leaves nothing behind', async () => {
    const s3 = new S3Client({ ...aws(), forcePathStyle: true });
    try {
      await forEachStackInOrder(
        environmentStacks(DEV),
        async (stack) => {
          // force_destroy is off on purpose: objects Terraform does not own (server access logs, which moto
          // delivers too; the probe object) go first, by hand, as an operator would.
          // Logging stops first, or the destroy's own requests would write new logs into the emptied bucket.
          if (stack.name === `${DEV}lake`) {
            await runTerraform(stack.dir, ['destroy', '-auto-approve', '-input=false', `-target=${addressesOf(stack, 'aws_s3_bucket_logging')[0]}`], env);
            for (const bucket of ['ingest-lake-dev-lake', 'ingest-lake-dev-access-logs']) await emptyBucket(s3, bucket);
          }
          const targets = motoTargets(stack);
          if (targets !== 'plan-only') await runTerraform(stack.dir, ['destroy', '-auto-approve', '-input=false', ...targets], env);
        },
        { concurrency: 3, reverse: true },
      );
      const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name!);
      expect(buckets.filter((name) => name.startsWith(DEV))).toEqual([]);
      const kinesis = new KinesisClient(aws());
      const streams = (await kinesis.send(new ListStreamsCommand({}))).StreamNames!;
      kinesis.destroy();
      expect(streams.filter((name) => name.startsWith(DEV))).toEqual([]);
      const iam = new IAMClient(aws());
      const roles = (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName!);
      iam.destroy();
      expect(roles.filter((name) => name.startsWith(DEV))).toEqual([]);
    } finally {
      s3.destroy();
    }
  }, 900_000);
});
