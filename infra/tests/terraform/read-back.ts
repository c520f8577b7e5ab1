import {
  APIGatewayClient,
  GetIntegrationCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  GetStagesCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
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
import { loadEnvironmentConfig, streamRetentionHours } from '../../src/config/environment-config';

/** moto's default account, which the provider learns from moto's STS. */
export const MOTO_ACCOUNT = '123456789012';
export const MOTO_REGION = 'ap-northeast-2';

/** SDK client settings for a moto endpoint. HTTP/1.1: the Kinesis client's default HTTP/2 fails against moto ("Protocol error"). */
export const motoClientConfig = (endpoint: string) => ({
  endpoint,
  region: MOTO_REGION,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  requestHandler: new NodeHttpHandler(),
});

/**
 * What a deployed environment must look like, read back through the AWS SDK: declares one
 * `describe` of tests, to run after the environment's stacks are applied to the moto at `endpoint()`.
 * Expected values come from the environment's config and from shared (schemas, prefixes, routes),
 * never typed again here.
 */
export function describeReadBack(environment: string, endpoint: () => string): void {
  const config = loadEnvironmentConfig(environment);
  const project = config.project;
  const name = (suffix: string) => `${project}-${environment}-${suffix}`;
  const aws = () => motoClientConfig(endpoint());

  describe(`${environment}, read back through the AWS SDK`, () => {
    test('streams: one per streamed dataset, KMS-encrypted with the lake key (rotated), in the configured mode and retention', async () => {
      const kinesis = new KinesisClient(aws());
      const kms = new KMSClient(aws());
      try {
        for (const dataset of streamedDatasets) {
          const { StreamDescriptionSummary: summary } = await kinesis.send(
            new DescribeStreamSummaryCommand({ StreamName: streamName(project, environment, dataset.name) }),
          );
          expect(summary).toMatchObject({
            EncryptionType: 'KMS',
            StreamModeDetails: { StreamMode: config.streaming.mode === 'on-demand' ? 'ON_DEMAND' : 'PROVISIONED' },
            RetentionPeriodHours: streamRetentionHours(config, dataset.name),
          });
          if (config.streaming.mode === 'provisioned')
            expect(summary!.OpenShardCount).toBe(config.streaming.shardCount);
          expect(summary!.KeyId).toMatch(new RegExp(`^arn:aws:kms:${MOTO_REGION}:${MOTO_ACCOUNT}:key/`));
          expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: summary!.KeyId }))).toMatchObject({
            KeyRotationEnabled: true,
          });
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
        const { StreamDescriptionSummary: summary } = await kinesis.send(
          new DescribeStreamSummaryCommand({ StreamName: streamName(project, environment, 'events') }),
        );
        const policy = JSON.parse(
          (await kms.send(new GetKeyPolicyCommand({ KeyId: summary!.KeyId, PolicyName: 'default' }))).Policy!,
        ) as {
          Statement: Array<{
            Sid: string;
            Principal: { Service?: string | string[] };
            Condition?: Record<string, Record<string, string>>;
          }>;
        };
        const services = policy.Statement.flatMap((s) => [s.Principal.Service ?? []].flat());
        expect(services.sort()).toEqual(['cloudwatch.amazonaws.com', `logs.${MOTO_REGION}.amazonaws.com`]);
        const logs = policy.Statement.find((s) => s.Sid === 'CloudWatchLogsEncryptsThisAccountsLogGroups')!;
        expect(logs.Condition).toEqual({
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${MOTO_REGION}:${MOTO_ACCOUNT}:log-group:*` },
        });
      } finally {
        kinesis.destroy();
        kms.destroy();
      }
    });

    test('the lake bucket: KMS default encryption, public access blocked, access logs, and it accepts a write under its TLS-only policy', async () => {
      const s3 = new S3Client({ ...aws(), forcePathStyle: true });
      try {
        const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name);
        expect(buckets).toEqual(
          expect.arrayContaining([name('lake'), name('access-logs'), name('pipeline-artifacts')]),
        );
        const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: name('lake') }));
        expect(
          encryption.ServerSideEncryptionConfiguration!.Rules![0]!.ApplyServerSideEncryptionByDefault,
        ).toMatchObject({ SSEAlgorithm: 'aws:kms' });
        expect(
          (await s3.send(new GetPublicAccessBlockCommand({ Bucket: name('lake') }))).PublicAccessBlockConfiguration,
        ).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect((await s3.send(new GetBucketLoggingCommand({ Bucket: name('lake') }))).LoggingEnabled).toMatchObject({
          TargetBucket: name('access-logs'),
        });
        await s3.send(
          new PutObjectCommand({ Bucket: name('lake'), Key: 'errors/deploy-test/probe.txt', Body: 'probe' }),
        );
      } finally {
        s3.destroy();
      }
    });

    test('Glue tables: columns and partition keys equal the shared schema; the location template is literal', async () => {
      const glue = new GlueClient(aws());
      try {
        for (const dataset of streamedDatasets) {
          const { Table: table } = await glue.send(
            new GetTableCommand({
              DatabaseName: `${project}_${environment}_lake`.replace(/-/g, '_'),
              Name: dataset.name,
            }),
          );
          expect(table!.StorageDescriptor!.Columns!.map((c) => ({ name: c.Name, type: c.Type }))).toEqual(
            glueColumns(dataset).map((c) => ({ name: c.name, type: c.type })),
          );
          expect(table!.PartitionKeys!.map((k) => ({ name: k.Name, type: k.Type }))).toEqual(
            gluePartitionKeys.map((k) => ({ name: k.name, type: k.type })),
          );
          expect(table!.Parameters!['storage.location.template']).toBe(
            `s3://${name('lake')}/curated/dataset=${dataset.name}/dt=\${dt}/`,
          );
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
          const { DeliveryStreamDescription: description } = await firehose.send(
            new DescribeDeliveryStreamCommand({ DeliveryStreamName: name(suffix) }),
          );
          expect(description!.Source!.KinesisStreamSourceDescription!.KinesisStreamARN).toBe(
            `arn:aws:kinesis:${MOTO_REGION}:${MOTO_ACCOUNT}:stream/${streamName(project, environment, dataset.name)}`,
          );
          const s3 = description!.Destinations![0]!.ExtendedS3DestinationDescription!;
          expect({ prefix: s3.Prefix, errorPrefix: s3.ErrorOutputPrefix }).toEqual({
            prefix: FIREHOSE_CURATED_PREFIX,
            errorPrefix: FIREHOSE_ERROR_PREFIX,
          });
          const processor = s3.ProcessingConfiguration!.Processors![0]!;
          const fn = await lambda.send(
            new GetFunctionConfigurationCommand({ FunctionName: name(`transform-${suffix}`) }),
          );
          expect(processor.Parameters).toContainEqual({
            ParameterName: 'LambdaArn',
            ParameterValue: `${fn.FunctionArn}:$LATEST`,
          });
          expect(fn).toMatchObject({
            Runtime: 'nodejs22.x',
            Architectures: ['arm64'],
            TracingConfig: { Mode: 'Active' },
          });
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
        const role = await iam.send(new GetRoleCommand({ RoleName: name('events') }));
        const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)) as {
          Statement: Array<{ Condition?: unknown }>;
        };
        expect(trust.Statement[0]!.Condition).toEqual({ StringEquals: { 'sts:ExternalId': MOTO_ACCOUNT } });
        const roles = (await iam.send(new ListRolesCommand({ MaxItems: 1000 }))).Roles!.map((r) => r.RoleName);
        expect(roles).toEqual(expect.arrayContaining([name('collector'), name('api-to-kinesis'), name('flow-logs')]));
      } finally {
        iam.destroy();
      }
    });

    test('API: stage PROD; each route integrates Kinesis with the shared request template', async () => {
      const api = new APIGatewayClient(aws());
      try {
        const restApi = (await api.send(new GetRestApisCommand({}))).items!.find((a) => a.name === name('ingest'))!;
        expect((await api.send(new GetStagesCommand({ restApiId: restApi.id }))).item!.map((s) => s.stageName)).toEqual(
          ['PROD'],
        );
        const resources = (await api.send(new GetResourcesCommand({ restApiId: restApi.id }))).items!;
        for (const route of INGEST_ROUTES) {
          const resource = resources.find((r) => r.path === route.path)!;
          const integration = await api.send(
            new GetIntegrationCommand({ restApiId: restApi.id, resourceId: resource.id, httpMethod: 'POST' }),
          );
          expect(integration.uri).toBe(`arn:aws:apigateway:${MOTO_REGION}:kinesis:action/${route.kinesisAction}`);
          expect(integration.requestTemplates!['application/json']).toBe(
            route.template(streamName(project, environment, 'events')),
          );
        }
      } finally {
        api.destroy();
      }
    });

    test('alarms notify an SNS topic encrypted with the lake key', async () => {
      const cloudwatch = new CloudWatchClient(aws());
      const sns = new SNSClient(aws());
      try {
        const topicArn = (await sns.send(new ListTopicsCommand({})))
          .Topics!.map((t) => t.TopicArn!)
          .find((arn) => arn.endsWith(`:${name('alarms')}`))!;
        expect(
          (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes!.KmsMasterKeyId,
        ).toMatch(/^arn:aws:kms:/);
        const alarms = (
          await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${project}-${environment}-` }))
        ).MetricAlarms!;
        expect(alarms.length).toBeGreaterThanOrEqual(10);
        expect(alarms.every((alarm) => alarm.AlarmActions?.includes(topicArn))).toBe(true);
      } finally {
        cloudwatch.destroy();
        sns.destroy();
      }
    });
  });
}
