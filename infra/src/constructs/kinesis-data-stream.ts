import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { Construct } from 'constructs';
import type { LakeKey } from './lake-key';
import type { Grantee } from './service-role';

/** The shard-level metrics every stream publishes: what the throttling and iterator-age alarms and the shard scaler read. */
const SHARD_LEVEL_METRICS = ['IncomingBytes', 'IncomingRecords', 'WriteProvisionedThroughputExceeded', 'IteratorAgeMilliseconds'];

export interface KinesisDataStreamProps {
  /** The stream's name. */
  streamName: string;
  /** Encrypts the records (server-side, KMS). */
  key: LakeKey;
  /** How long records stay readable. */
  retentionHours: number;
  /**
   * Capacity: on demand, or provisioned with an initial shard count that the shard scaler owns
   * afterwards (Terraform ignores later differences instead of resetting the stream).
   */
  capacity: { mode: 'on-demand' } | { mode: 'provisioned'; shardCount: number };
}

/**
 * A KMS-encrypted Kinesis data stream with shard-level metrics. Its grants bring the key's minimum
 * with them: producers GenerateDataKey, consumers Decrypt
 * (https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html). The stream is the
 * construct's default child, so it keeps the Terraform address `<id>` gave it when built inline.
 */
export class KinesisDataStream extends Construct {
  /** The stream's ARN. */
  readonly arn: string;
  /** The stream's name. */
  readonly name: string;
  private readonly key: LakeKey;

  constructor(scope: Construct, id: string, props: KinesisDataStreamProps) {
    super(scope, id);
    const { capacity } = props;
    const stream = new KinesisStream(this, 'Default', {
      name: props.streamName,
      retentionPeriod: props.retentionHours,
      encryptionType: 'KMS',
      kmsKeyId: props.key.arn,
      streamModeDetails: { streamMode: capacity.mode === 'on-demand' ? 'ON_DEMAND' : 'PROVISIONED' },
      ...(capacity.mode === 'provisioned' ? { shardCount: capacity.shardCount, lifecycle: { ignoreChanges: ['shard_count'] } } : {}),
      shardLevelMetrics: SHARD_LEVEL_METRICS,
    });
    this.arn = stream.arn;
    this.name = stream.name;
    this.key = props.key;
  }

  /** Lets a role put records one at a time and in batches (API Gateway's PutRecord and PutRecords routes). */
  grantWrite(grantee: Grantee): void {
    grantee.addGrants({ actions: ['kinesis:PutRecord', 'kinesis:PutRecords'], resources: [this.arn] });
    this.key.grantGenerateDataKey(grantee);
  }

  /** Lets a role put records in batches only (the collector's producer calls nothing but PutRecords). */
  grantPutRecords(grantee: Grantee): void {
    grantee.addGrants({ actions: ['kinesis:PutRecords'], resources: [this.arn] });
    this.key.grantGenerateDataKey(grantee);
  }

  /**
   * Lets a role read the stream as a Kinesis source of Firehose does
   * (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-kinesis-streams).
   */
  grantRead(grantee: Grantee): void {
    grantee.addGrants({ actions: ['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'], resources: [this.arn] });
    this.key.grantDecrypt(grantee);
  }

  /** Lets a role change the shard count (the shard scaler): no record passes, so no key. */
  grantScale(grantee: Grantee): void {
    grantee.addGrants({ actions: ['kinesis:DescribeStreamSummary', 'kinesis:UpdateShardCount'], resources: [this.arn] });
  }
}
