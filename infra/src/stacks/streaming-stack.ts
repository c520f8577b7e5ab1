import type { Construct } from 'constructs';
import { deliveryStreamSettings, streamName } from '@ingest-lake/shared';
import { streamRetentionHours, type EnvironmentConfig } from '../config/environment-config';
import { KinesisDataStream } from '../constructs/kinesis-data-stream';
import type { LakeKey } from '../constructs/lake-key';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';

/** Stream name of a streamed dataset: `<project>-<env>-<dataset with dashes>` (built in shared/, which the collector uses too). */
export function streamNameFor(config: EnvironmentConfig, dataset: string): string {
  return streamName(config.project, config.environment, dataset);
}

export interface StreamingStackProps extends IngestLakeStackProps {
  /** Encrypts the streams. */
  key: LakeKey;
}

/**
 * One KMS-encrypted Kinesis stream per streamed dataset (events from API Gateway, each vendor data
 * file from the collector): on-demand by default, provisioned with a shard count by config, each
 * with the retention the config gives its dataset (`streaming.retentionHoursByDataset`). A
 * provisioned stream's shard count is only its initial count: the shard scaler (monitoring stack)
 * owns it afterwards, so Terraform ignores later differences instead of resetting the stream.
 */
export class StreamingStack extends IngestLakeStack {
  readonly streams: Map<string, KinesisDataStream> = new Map();

  constructor(scope: Construct, props: StreamingStackProps) {
    super(scope, 'streaming', props.config);
    const { config, key } = props;
    const streaming = config.streaming;
    // The sources of the delivery streams, named as the shared delivery model names them.
    for (const { dataset, sourceStreamName } of deliveryStreamSettings({ project: config.project, environment: config.environment, delivery: config.delivery })) {
      this.streams.set(
        dataset,
        new KinesisDataStream(this, `stream-${dataset}`, {
          streamName: sourceStreamName,
          key,
          retentionHours: streamRetentionHours(config, dataset),
          capacity: streaming.mode === 'provisioned' ? { mode: 'provisioned', shardCount: streaming.shardCount } : { mode: 'on-demand' },
        }),
      );
    }
  }
}
