import type { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import type { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import type { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import type { Construct } from 'constructs';
import path from 'node:path';
import { streamedDatasets } from '@ingest-lake/shared';
import type { EnvironmentConfig } from '../config/environment-config';
import { CuratedDeliveryStream } from '../constructs/delivery-stream';
import type { LakeKey } from '../constructs/kms-key';
import type { SecureBucket } from '../constructs/lake-bucket';
import { BundledFunction, lambdaBundle, type LambdaBundle } from '../constructs/transform-function';
import { IngestLakeStack } from './ingest-lake-stack';

export const TRANSFORM_DIST = path.resolve(__dirname, '../../../functions/firehose-transform/dist');

/** One transform function and one Firehose per streamed dataset (decision 0005). */
export class DeliveryStack extends IngestLakeStack {
  readonly deliveryStreams: Map<string, KinesisFirehoseDeliveryStream> = new Map();
  readonly transforms: Map<string, BundledFunction> = new Map();

  constructor(
    scope: Construct,
    config: EnvironmentConfig,
    inputs: {
      lake: SecureBucket;
      key: LakeKey;
      streams: Map<string, KinesisStream>;
      tables: Map<string, GlueCatalogTable>;
      databaseName: string;
      bundle?: LambdaBundle;
    },
  ) {
    super(scope, 'delivery', config);
    const bundle = inputs.bundle ?? lambdaBundle(TRANSFORM_DIST);
    for (const dataset of streamedDatasets) {
      const suffix = dataset.name.replace(/_/g, '-');
      const transform = new BundledFunction(this, `transform-${dataset.name}`, {
        functionName: this.name(`transform-${suffix}`),
        bundle,
        key: inputs.key,
        environment: {
          DATASETS: dataset.name,
          DEFAULT_DATASET: 'events',
          POWERTOOLS_SERVICE_NAME: `transform-${suffix}`,
          POWERTOOLS_METRICS_NAMESPACE: 'IngestLake',
        },
      });
      this.transforms.set(dataset.name, transform);
      const delivery = new CuratedDeliveryStream(this, `delivery-${dataset.name}`, {
        deliveryStreamName: this.name(suffix),
        source: inputs.streams.get(dataset.name)!,
        lake: inputs.lake,
        key: inputs.key,
        transform: transform.function,
        table: inputs.tables.get(dataset.name)!,
        databaseName: inputs.databaseName,
        region: config.region,
        bufferIntervalSeconds: config.delivery.bufferIntervalSeconds,
        bufferSizeMb: config.delivery.bufferSizeMb,
        lambdaBufferSizeMb: config.delivery.lambdaBufferSizeMb,
        lambdaBufferIntervalSeconds: config.delivery.lambdaBufferIntervalSeconds,
      });
      this.deliveryStreams.set(dataset.name, delivery.deliveryStream);
    }
  }
}
