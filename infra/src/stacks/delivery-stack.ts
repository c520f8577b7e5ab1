import type { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import type { Construct } from 'constructs';
import { deliveryStreamSettings } from '@ingest-lake/shared';
import { CuratedDeliveryStream } from '../constructs/delivery-stream';
import type { KinesisDataStream } from '../constructs/kinesis-data-stream';
import type { LakeKey } from '../constructs/lake-key';
import type { SecureBucket } from '../constructs/secure-bucket';
import { FIREHOSE_TRANSFORM_BUNDLE_DIR } from '@ingest-lake/firehose-transform/asset';
import { BundledFunction, lambdaBundle, type LambdaBundle } from '../constructs/bundled-function';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';

/** The transform's bundle, as its package builds it. */
export const TRANSFORM_DIST = FIREHOSE_TRANSFORM_BUNDLE_DIR;

export interface DeliveryStackProps extends IngestLakeStackProps {
  lake: SecureBucket;
  key: LakeKey;
  streams: Map<string, KinesisDataStream>;
  tables: Map<string, GlueCatalogTable>;
  databaseName: string;
  bundle?: LambdaBundle;
}

/** One transform function and one Firehose per streamed dataset (decision 0005), rendered from the shared delivery model. */
export class DeliveryStack extends IngestLakeStack {
  readonly deliveryStreams: Map<string, CuratedDeliveryStream> = new Map();
  readonly transforms: Map<string, BundledFunction> = new Map();

  constructor(scope: Construct, props: DeliveryStackProps) {
    super(scope, 'delivery', props.config);
    const { config } = props;
    const bundle = props.bundle ?? lambdaBundle(TRANSFORM_DIST);
    const settings = deliveryStreamSettings({ project: config.project, environment: config.environment, delivery: config.delivery });
    for (const stream of settings) {
      const transform = new BundledFunction(this, `transform-${stream.dataset}`, {
        functionName: stream.processor.functionName,
        bundle,
        key: props.key,
        environment: { ...stream.processor.environment },
        timeoutSeconds: stream.processor.timeoutSeconds,
      });
      this.transforms.set(stream.dataset, transform);
      const delivery = new CuratedDeliveryStream(this, `delivery-${stream.dataset}`, {
        settings: stream,
        source: props.streams.get(stream.dataset)!,
        lake: props.lake,
        key: props.key,
        transform,
        table: props.tables.get(stream.dataset)!,
        databaseName: props.databaseName,
        region: config.region,
      });
      this.deliveryStreams.set(stream.dataset, delivery);
    }
  }
}
