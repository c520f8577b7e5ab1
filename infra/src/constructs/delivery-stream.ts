import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { CloudwatchLogStream } from '@cdktf/provider-aws/lib/cloudwatch-log-stream';
import type { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import type { BundledFunction } from './bundled-function';
import { Construct } from 'constructs';
import type { DeliveryStreamSettings } from '@ingest-lake/shared';
import { EncryptedLogGroup } from './encrypted-log-group';
import type { KinesisDataStream } from './kinesis-data-stream';
import type { LakeKey } from './lake-key';
import type { SecureBucket } from './secure-bucket';
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

/** The lake zones (first path segment) a delivery stream writes to: its prefixes and error prefixes, once each. */
function writtenZones(settings: DeliveryStreamSettings): string[] {
  const prefixes = [settings.destination.prefix, settings.backup.prefix, settings.destination.errorOutputPrefix, settings.backup.errorOutputPrefix];
  return [...new Set(prefixes.map((prefix) => prefix.slice(0, prefix.indexOf('/') + 1)))];
}

export interface CuratedDeliveryStreamProps {
  /**
   * The delivery stream as the shared model defines it (`deliveryStreamSettings` in shared/): name,
   * processor parameters, buffering, prefixes, Parquet compression, backup. The local runtime runs the
   * same object, so nothing here may add a data-path setting of its own.
   */
  settings: DeliveryStreamSettings;
  /** The Kinesis stream named `settings.sourceStreamName`. */
  source: KinesisDataStream;
  /** The lake bucket (`settings.destination.bucketName`); the stream may write only the zones of its prefixes. */
  lake: SecureBucket;
  /** Encrypts the objects and the logs. */
  key: LakeKey;
  /** The function named `settings.processor.functionName`. */
  transform: BundledFunction;
  /** The Glue table whose schema drives Parquet conversion. */
  table: GlueCatalogTable;
  /** The Glue database holding `table`. */
  databaseName: string;
  /** Region of the Glue catalog. */
  region: string;
  /** Retention of the stream's CloudWatch log group. @default 90 */
  logRetentionDays?: number;
}

/**
 * Firehose from a Kinesis stream to the lake: the transform Lambda as processor, dynamic
 * partitioning on the transform's `dataset`/`dt` keys, Parquet conversion against the Glue table,
 * the error output prefix, source backup to raw-data/yyyy/MM/dd/HH/, and CloudWatch logging.
 */
export class CuratedDeliveryStream extends Construct {
  /** The delivery stream's name (what its CloudWatch metrics are dimensioned by). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: CuratedDeliveryStreamProps) {
    super(scope, id);
    const { settings } = props;
    const logGroup = new EncryptedLogGroup(this, 'logs', {
      logGroupName: `/aws/kinesisfirehose/${settings.deliveryStreamName}`,
      key: props.key,
      retentionDays: props.logRetentionDays ?? 90,
    });
    const destinationLog = new CloudwatchLogStream(this, 'destination-log', { name: 'DestinationDelivery', logGroupName: logGroup.name });
    const backupLog = new CloudwatchLogStream(this, 'backup-log', { name: 'BackupDelivery', logGroupName: logGroup.name });
    const account = new DataAwsCallerIdentity(this, 'account');
    const role = new ServiceRole(this, 'role', { roleName: settings.deliveryStreamName, servicePrincipal: 'firehose.amazonaws.com', guard: 'external-id' });
    // Firehose reads the encrypted stream (Decrypt) and writes the lake in multipart uploads
    // (GenerateDataKey + Decrypt): the key grants come with the stream's and the bucket's.
    props.source.grantRead(role);
    // Parquet conversion reads the table's schema (Firehose's documented policy for record format conversion).
    role.addGrants({
      actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
      resources: [props.table.arn, `arn:aws:glue:${props.region}:${account.accountId}:catalog`, `arn:aws:glue:${props.region}:${account.accountId}:database/${props.databaseName}`],
    });
    // The log streams exist (created above): Firehose only puts events into them.
    logGroup.grantPutLogEvents(role);
    for (const zone of writtenZones(settings)) props.lake.grantWrite(role, zone);
    props.transform.grantInvoke(role);
    const deliveryStream = new KinesisFirehoseDeliveryStream(this, 'stream', {
      name: settings.deliveryStreamName,
      destination: 'extended_s3',
      kinesisSourceConfiguration: { kinesisStreamArn: props.source.arn, roleArn: role.arn },
      extendedS3Configuration: {
        roleArn: role.arn,
        bucketArn: props.lake.arn,
        prefix: settings.destination.prefix,
        errorOutputPrefix: settings.destination.errorOutputPrefix,
        bufferingInterval: settings.destination.bufferIntervalSeconds,
        bufferingSize: settings.destination.bufferSizeMb,
        kmsKeyArn: props.key.arn,
        cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: destinationLog.name },
        dynamicPartitioningConfiguration: { enabled: true, retryDuration: settings.dynamicPartitioning.retryDurationSeconds },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'Lambda',
              parameters: lambdaProcessorParameters(`${props.transform.arn}:$LATEST`, {
                BufferSizeInMBs: String(settings.processor.bufferSizeMb),
                BufferIntervalInSeconds: String(settings.processor.bufferIntervalSeconds),
                NumberOfRetries: String(settings.processor.numberOfRetries),
              }),
            },
          ],
        },
        dataFormatConversionConfiguration: {
          enabled: true,
          inputFormatConfiguration: { deserializer: { hiveJsonSerDe: {} } },
          outputFormatConfiguration: { serializer: { parquetSerDe: { compression: settings.destination.parquetCompression } } },
          schemaConfiguration: { databaseName: props.databaseName, tableName: props.table.name, roleArn: role.arn, region: props.region },
        },
        s3BackupMode: 'Enabled',
        s3BackupConfiguration: {
          roleArn: role.arn,
          bucketArn: props.lake.arn,
          prefix: settings.backup.prefix,
          errorOutputPrefix: settings.backup.errorOutputPrefix,
          bufferingInterval: settings.backup.bufferIntervalSeconds,
          bufferingSize: settings.backup.bufferSizeMb,
          compressionFormat: settings.backup.compression,
          kmsKeyArn: props.key.arn,
          cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: backupLog.name },
        },
      },
    });
    this.name = deliveryStream.name;
  }
}
