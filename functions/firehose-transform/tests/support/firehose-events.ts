import { encodePackEntry, type PackEntry, type PackHeader } from '@ingest-lake/shared';
import type { FirehoseTransformationEvent, FirehoseTransformationRecord } from '../../src';

/** Builders of Firehose transformation events exactly as a KDS-sourced delivery stream sends them. */

let sequence = 49_000_000_000_000_000_000_000_000_000_000_000_000_000n;
export const ARRIVAL_MILLIS = Date.UTC(2026, 10, 22, 9, 30, 0, 250);

export function firehoseRecord(
  data: Buffer | string,
  options: { partitionKey?: string; rawBase64?: string; arrivalMillis?: number } = {},
): FirehoseTransformationRecord {
  sequence += 1n;
  const arrival = options.arrivalMillis ?? ARRIVAL_MILLIS;
  return {
    recordId: `${sequence}0000000000000000000000000000`,
    approximateArrivalTimestamp: arrival,
    data: options.rawBase64 ?? Buffer.from(data).toString('base64'),
    kinesisRecordMetadata: {
      shardId: 'shardId-000000000000',
      partitionKey: options.partitionKey ?? 'Root=1-5759e988-bd862e3fe1be46a994272793',
      approximateArrivalTimestamp: arrival,
      sequenceNumber: String(sequence),
      subsequenceNumber: '',
    },
  };
}

export function firehoseEvent(records: FirehoseTransformationRecord[]): FirehoseTransformationEvent {
  return {
    invocationId: '00540a87-5050-496a-84e4-e7d92bbaf5e2',
    deliveryStreamArn: 'arn:aws:firehose:ap-northeast-2:123456789012:deliverystream/ingest-lake-dev-events',
    sourceKinesisStreamArn: 'arn:aws:kinesis:ap-northeast-2:123456789012:stream/ingest-lake-dev',
    region: 'ap-northeast-2',
    records,
  };
}

export function packData(header: Omit<PackHeader, '$pack'>, entries: PackEntry[]): Buffer {
  return Buffer.from(
    [JSON.stringify({ $pack: 1, ...header }), ...entries.map(encodePackEntry)].join('\n') + '\n',
    'utf8',
  );
}

/** A valid app_market_daily row; override fields to make it invalid. */
export function marketRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metric_date: '2026-11-20',
    app_id: '284882215',
    app_name: 'Puzzle, Quest & Friends',
    publisher_name: '주식회사 예시',
    country_code: 'KR',
    device: 'iphone',
    store_id: 'ios',
    category_id: '6005',
    downloads: '1520',
    revenue_usd: '1234.5',
    active_users: null,
    rank_overall: '12',
    rating_average: '4.6',
    is_estimate: 'true',
    updated_at: '2026-11-21T03:00:00Z',
    ...overrides,
  };
}

export function decodeData(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}
