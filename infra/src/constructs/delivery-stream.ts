import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogStream } from '@cdktf/provider-aws/lib/cloudwatch-log-stream';
import type { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import type { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { Construct } from 'constructs';
import { FIREHOSE_BACKUP_ERROR_PREFIX, FIREHOSE_BACKUP_PREFIX, FIREHOSE_CURATED_PREFIX, FIREHOSE_ERROR_PREFIX } from '@ingest-lake/shared';
import type { LakeKey } from './kms-key';
import type { SecureBucket } from './lake-bucket';
import { ServiceRole } from './service-role';

/** Firehose's defaults for a Lambda processor (AWS Firehose API reference, ProcessorParameter). */
export const LAMBDA_PROCESSOR_DEFAULTS: Readonly<Record<string, string>> = { BufferSizeInMBs: '1', BufferIntervalInSeconds: '60', NumberOfRetries: '3' };

/**
 * A Lambda processor's parameters with every default left out: the provider does not store parameters
 * that equal Firehose's defaults, so writing one makes every plan show it as added (a perpetual diff;
 * documented in the aws_kinesis_firehose_delivery_stream resource's notes).
 */
export function lambdaProcessorParameters(lambdaArn: string, settings: Record<string, string>): Array<{ parameterName: string; parameterValue: string }> {
  return [
    { parameterName: 'LambdaArn', parameterValue: lambdaArn },
    ...Object.entries(settings)
      .filter(([name, value]) => LAMBDA_PROCESSOR_DEFAULTS[name] !== value)
      .map(([parameterName, parameterValue]) => ({ parameterName, parameterValue })),
  ];
}

export interface CuratedDeliveryStreamProps {
  deliveryStreamName: string;
  source: KinesisStream;
  lake: SecureBucket;
  key: LakeKey;
  transform: LambdaFunction;
  /** The Glue table whose schema drives Parquet conversion. */
  table: GlueCatalogTable;
  databaseName: string;
  region: string;
  /** S3 buffer; 60 s is Firehose's minimum with dynamic partitioning and format conversion. @default 60 */
  bufferIntervalSeconds?: number;
  /** S3 buffer; format conversion needs at least 64 MB. @default 64 */
  bufferSizeMb?: number;
  /** Lambda processor buffer (0.2–3 MB). @default 1 */
  lambdaBufferSizeMb?: number;
  /** @default 60 */
  lambdaBufferIntervalSeconds?: number;
  /** @default 90 */
  logRetentionDays?: number;
}

/**
 * Firehose from a Kinesis stream to the lake: the transform Lambda as processor, dynamic
 * partitioning on the transform's `dataset`/`dt` keys, Parquet conversion against the Glue table,
 * the error output prefix, source backup to raw-data/yyyy/MM/dd/HH/, and CloudWatch logging.
 */
export class CuratedDeliveryStream extends Construct {
  readonly deliveryStream: KinesisFirehoseDeliveryStream;

  constructor(scope: Construct, id: string, props: CuratedDeliveryStreamProps) {
    super(scope, id);
    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/kinesisfirehose/${props.deliveryStreamName}`,
      retentionInDays: props.logRetentionDays ?? 90,
      kmsKeyId: props.key.key.arn,
    });
    const destinationLog = new CloudwatchLogStream(this, 'destination-log', { name: 'DestinationDelivery', logGroupName: logGroup.name });
    const backupLog = new CloudwatchLogStream(this, 'backup-log', { name: 'BackupDelivery', logGroupName: logGroup.name });
    const account = new DataAwsCallerIdentity(this, 'account');
    const role = new ServiceRole(this, 'role', {
      roleName: props.deliveryStreamName,
      servicePrincipal: 'firehose.amazonaws.com',
      guard: 'external-id',
      grants: [
        { actions: ['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'], resources: [props.source.arn] },
        props.lake.grantWrite('curated/'),
        props.lake.grantWrite('raw-data/'),
        props.lake.grantWrite('errors/'),
        props.key.grantEncryptDecrypt(),
        { actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'], resources: [props.transform.arn, `${props.transform.arn}:*`] },
        {
          actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
          resources: [props.table.arn, `arn:aws:glue:${props.region}:${account.accountId}:catalog`, `arn:aws:glue:${props.region}:${account.accountId}:database/${props.databaseName}`],
        },
        { actions: ['logs:PutLogEvents'], resources: [`${logGroup.arn}:*`] },
      ],
    });
    const bufferIntervalSeconds = props.bufferIntervalSeconds ?? 60;
    this.deliveryStream = new KinesisFirehoseDeliveryStream(this, 'stream', {
      name: props.deliveryStreamName,
      destination: 'extended_s3',
      kinesisSourceConfiguration: { kinesisStreamArn: props.source.arn, roleArn: role.role.arn },
      extendedS3Configuration: {
        roleArn: role.role.arn,
        bucketArn: props.lake.bucket.arn,
        prefix: FIREHOSE_CURATED_PREFIX,
        errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
        bufferingInterval: bufferIntervalSeconds,
        bufferingSize: props.bufferSizeMb ?? 64,
        kmsKeyArn: props.key.key.arn,
        cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: destinationLog.name },
        dynamicPartitioningConfiguration: { enabled: true, retryDuration: 300 },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'Lambda',
              parameters: lambdaProcessorParameters(`${props.transform.arn}:$LATEST`, {
                BufferSizeInMBs: String(props.lambdaBufferSizeMb ?? 1),
                BufferIntervalInSeconds: String(props.lambdaBufferIntervalSeconds ?? 60),
                NumberOfRetries: '3',
              }),
            },
          ],
        },
        dataFormatConversionConfiguration: {
          enabled: true,
          inputFormatConfiguration: { deserializer: { hiveJsonSerDe: {} } },
          outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
          schemaConfiguration: { databaseName: props.databaseName, tableName: props.table.name, roleArn: role.role.arn, region: props.region },
        },
        s3BackupMode: 'Enabled',
        s3BackupConfiguration: {
          roleArn: role.role.arn,
          bucketArn: props.lake.bucket.arn,
          prefix: FIREHOSE_BACKUP_PREFIX,
          errorOutputPrefix: FIREHOSE_BACKUP_ERROR_PREFIX,
          bufferingInterval: bufferIntervalSeconds,
          bufferingSize: 5,
          compressionFormat: 'GZIP',
          kmsKeyArn: props.key.key.arn,
          cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: backupLog.name },
        },
      },
    });
  }
}
