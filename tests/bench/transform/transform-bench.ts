/**
 * Firehose transform benchmark: a 6 MB Firehose event, warm and cold, against a
 * decode → parse → enrich → encode pass with no validation run in the same process.
 * Target: validation overhead ≤ 10 % warm (docs/benchmarks.md).
 * Run: npm run bench -w @ingest-lake/firehose-transform   (or: npx tsx tests/bench/transform/transform-bench.ts)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { appMarketDaily, datasetRuntime, formatTimestamp, parsePackEntry, type DatasetRuntime } from '@ingest-lake/shared';
import {
  httpEventEnvelope,
  transformBatch,
  type FirehoseTransformationEvent,
  type FirehoseTransformationRecord,
  type TransformSettings,
} from '@ingest-lake/firehose-transform';
import { printTable, round, warmMedianMillis } from '../support/measure';

const EVENT_BYTES_TARGET = 6_000_000;
const settings: TransformSettings = { defaultDataset: 'events', acceptedDatasets: 'all' };

/** The validation work alone: the compiled validator over every record of the event, pre-decoded. */
function validatorInputs(event: FirehoseTransformationEvent): Array<{ runtime: DatasetRuntime; input: unknown }> {
  return event.records.flatMap((r) => {
    const text = Buffer.from(r.data, 'base64').toString('utf8');
    if (!text.startsWith('{"$pack"')) {
      return [{ runtime: datasetRuntime('events')!, input: httpEventEnvelope(JSON.parse(text) as Record<string, unknown>, r) }];
    }
    const runtime = datasetRuntime('app_market_daily')!;
    return text
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line, index) => ({ runtime, input: parsePackEntry(line, index, MARKET_COLUMNS).r }));
  });
}

function record(index: number, data: string): FirehoseTransformationRecord {
  const sequenceNumber = String(49_600_000_000_000_000_000n + BigInt(index));
  return {
    recordId: `${sequenceNumber}000000000000`,
    approximateArrivalTimestamp: 1_763_800_000_000 + index,
    data: Buffer.from(data).toString('base64'),
    kinesisRecordMetadata: {
      shardId: 'shardId-000000000001',
      partitionKey: `Root=1-6740a1b2-${index.toString(16).padStart(24, '0')}`,
      approximateArrivalTimestamp: 1_763_800_000_000 + index,
      sequenceNumber,
      subsequenceNumber: '',
    },
  };
}

function buildEvent(makeData: (index: number) => string): FirehoseTransformationEvent {
  const records: FirehoseTransformationRecord[] = [];
  let bytes = 200;
  for (let i = 0; bytes < EVENT_BYTES_TARGET; i++) {
    const r = record(i, makeData(i));
    bytes += JSON.stringify(r).length + 1;
    records.push(r);
  }
  return { invocationId: 'bench', deliveryStreamArn: 'arn:aws:firehose:::deliverystream/bench', region: 'ap-northeast-2', records };
}

const TYPES = ['page_view', 'click', 'Tip 3', 'purchase', 'signup'];
const httpEvent = buildEvent((i) =>
  `${JSON.stringify({ value: String(i % 100), type: TYPES[i % TYPES.length], page: `/products/${i % 997}`, referrer: 'https://example.com/campaign?utm_source=newsletter', session: `s-${i % 5000}` })}\n`,
);

const MARKET_COLUMNS = appMarketDaily.columnNames;

function marketRowValues(i: number): Record<string, unknown> {
  return {
    metric_date: '2026-11-20',
    app_id: String(300_000_000 + i),
    app_name: `Example App ${i % 5000}: Puzzle Adventure`,
    publisher_name: `Example Studio ${i % 700} Ltd.`,
    country_code: ['KR', 'US', 'JP', 'DE'][i % 4],
    device: ['iphone', 'ipad', 'android_phone'][i % 3],
    store_id: i % 3 === 2 ? 'google_play' : 'ios',
    category_id: 6000 + (i % 30),
    downloads: String(i * 7),
    revenue_usd: `${i % 9000}.${String(i % 10000).padStart(4, '0')}`,
    active_users: i % 5 === 0 ? null : String(i * 31),
    rank_overall: i % 7 === 0 ? null : (i % 500) + 1,
    rating_average: 3 + (i % 20) / 10,
    is_estimate: true,
    updated_at: '2026-11-21 03:00:00.000',
  };
}

/** A positional entry, as the collector writes it (decision 0003). */
function marketEntry(i: number): string {
  const row = marketRowValues(i);
  return JSON.stringify([i + 2, ...MARKET_COLUMNS.map((c) => row[c])]);
}
const packEvent = buildEvent((i) => {
  const lines = [JSON.stringify({ $pack: 1, dataset: 'app_market_daily', origin: 'vendor-bulk:app_market/snapshot=2026-11-21/app_market_daily.csv.gz', columns: MARKET_COLUMNS })];
  for (let j = 0; j < 19; j++) lines.push(marketEntry(i * 19 + j));
  return `${lines.join('\n')}\n`;
});

/** The same work without validation: decode, JSON.parse, add envelope/lineage, JSON.stringify, base64. */
function baselinePass(event: FirehoseTransformationEvent): unknown {
  const ingestedAt = formatTimestamp(Date.now());
  return {
    records: event.records.map((r) => {
      const text = Buffer.from(r.data, 'base64').toString('utf8');
      let out = '';
      let dt = '';
      if (text.startsWith('{"$pack"')) {
        const lines = text.split('\n');
        const header = JSON.parse(lines[0]!) as { origin: string; columns: string[] };
        for (let i = 1; i < lines.length; i++) {
          if (lines[i] === '') continue;
          const values = JSON.parse(lines[i]!) as unknown[];
          const row: Record<string, unknown> = {};
          header.columns.forEach((c, k) => (row[c] = values[k + 1]));
          const entry = { r: row, l: values[0] as number };
          const dedupKey = `app_market_daily:${JSON.stringify([row.metric_date, row.app_id, row.country_code, row.device])}`;
          out += `${JSON.stringify({ ...row, _dedup_key: dedupKey, _ingested_at: ingestedAt, _origin: `${header.origin}#${entry.l}` })}\n`;
        }
        dt = String((JSON.parse(lines[1]!) as unknown[])[1]);
      } else {
        const payload = JSON.parse(text) as Record<string, unknown>;
        const meta = r.kinesisRecordMetadata!;
        const eventId = `${meta.shardId}:${meta.sequenceNumber}`;
        const eventTime = formatTimestamp(meta.approximateArrivalTimestamp);
        dt = eventTime.slice(0, 10);
        out = `${JSON.stringify({
          event_id: eventId,
          event_time: eventTime,
          ingest_time: formatTimestamp(meta.approximateArrivalTimestamp),
          source: 'http',
          trace_id: meta.partitionKey,
          event_type: payload.type,
          payload: JSON.stringify(payload),
          _dedup_key: `events:${JSON.stringify([eventId])}`,
          _ingested_at: ingestedAt,
          _origin: `kinesis:${meta.shardId}:${meta.sequenceNumber}`,
        })}\n`;
      }
      const dataset = text.startsWith('{"$pack"') ? 'app_market_daily' : 'events';
      return { recordId: r.recordId, result: 'Ok', data: Buffer.from(out).toString('base64'), metadata: { partitionKeys: { dataset, dt } } };
    }),
  };
}

/** Reference point: the baseline plus zod safeParse per record (+34 % when the libraries were chosen; decision 0002). */
const zodMarketRow = z.strictObject({
  metric_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  app_id: z.string().regex(/^-?\d+$/),
  app_name: z.string().max(512),
  publisher_name: z.string().max(512),
  country_code: z.string().max(2),
  device: z.string(),
  store_id: z.string(),
  category_id: z.number().int(),
  downloads: z.string().regex(/^-?\d+$/),
  revenue_usd: z.string().regex(/^-?\d+(\.\d{1,4})?$/),
  active_users: z.string().regex(/^-?\d+$/).nullable(),
  rank_overall: z.number().int().nullable(),
  rating_average: z.number().nullable(),
  is_estimate: z.boolean(),
  updated_at: z.string(),
});
const zodEvent = z.strictObject({
  event_id: z.string().max(256),
  event_time: z.string(),
  ingest_time: z.string(),
  source: z.string(),
  trace_id: z.string().nullable(),
  event_type: z.string().nullable(),
  payload: z.string(),
});
function zodPass(event: FirehoseTransformationEvent): unknown {
  const ingestedAt = formatTimestamp(Date.now());
  return event.records.map((r) => {
    const text = Buffer.from(r.data, 'base64').toString('utf8');
    let out = '';
    if (text.startsWith('{"$pack"')) {
      const lines = text.split('\n');
      for (let i = 1; i < lines.length; i++) {
        if (lines[i] === '') continue;
        const values = JSON.parse(lines[i]!) as unknown[];
        const row: Record<string, unknown> = {};
        MARKET_COLUMNS.forEach((c, k) => (row[c] = values[k + 1]));
        const parsed = zodMarketRow.safeParse(row);
        if (!parsed.success) throw new Error('fixture invalid');
        out += `${JSON.stringify({ ...parsed.data, _dedup_key: 'k', _ingested_at: ingestedAt, _origin: 'o' })}\n`;
      }
    } else {
      const payload = JSON.parse(text) as Record<string, unknown>;
      const meta = r.kinesisRecordMetadata!;
      const parsed = zodEvent.safeParse({
        event_id: `${meta.shardId}:${meta.sequenceNumber}`,
        event_time: formatTimestamp(meta.approximateArrivalTimestamp),
        ingest_time: formatTimestamp(meta.approximateArrivalTimestamp),
        source: 'http',
        trace_id: meta.partitionKey,
        event_type: typeof payload.type === 'string' ? payload.type : null,
        payload: JSON.stringify(payload),
      });
      if (!parsed.success) throw new Error('fixture invalid');
      out = `${JSON.stringify({ ...parsed.data, _dedup_key: 'k', _ingested_at: ingestedAt, _origin: 'o' })}\n`;
    }
    return Buffer.from(out).toString('base64');
  });
}

function coldStartMillis(event: FirehoseTransformationEvent): { requireMs: number; firstInvokeMs: number } {
  const bundle = path.resolve(__dirname, '../../../functions/firehose-transform/dist/index.js');
  const eventPath = path.join(os.tmpdir(), `transform-bench-${process.pid}.json`);
  const resultPath = `${eventPath}.result`;
  writeFileSync(eventPath, JSON.stringify(event));
  const script = `
    const t0 = process.hrtime.bigint();
    const { handler } = require(${JSON.stringify(bundle)});
    const t1 = process.hrtime.bigint();
    const event = JSON.parse(require('fs').readFileSync(${JSON.stringify(eventPath)}, 'utf8'));
    const t2 = process.hrtime.bigint();
    handler(event).then(() => {
      const t3 = process.hrtime.bigint();
      require('fs').writeFileSync(${JSON.stringify(resultPath)}, JSON.stringify({ requireMs: Number(t1 - t0) / 1e6, firstInvokeMs: Number(t3 - t2) / 1e6 }));
    });`;
  execFileSync(process.execPath, ['-e', script], { stdio: 'ignore', env: { PATH: process.env.PATH } });
  return JSON.parse(readFileSync(resultPath, 'utf8')) as { requireMs: number; firstInvokeMs: number };
}

function main(): void {
  const rows: Array<Record<string, string | number>> = [];
  for (const [name, event] of [
    ['HTTP events (single records)', httpEvent],
    ['vendor packs (19 rows each)', packEvent],
  ] as const) {
    const dataRecords = name.startsWith('vendor') ? event.records.length * 19 : event.records.length;
    const baselineMs = warmMedianMillis(() => baselinePass(event));
    const inputs = validatorInputs(event);
    const validatorsMs = warmMedianMillis(() => {
      for (const { runtime, input } of inputs) if (!runtime.validate(input).ok) throw new Error('fixture invalid');
    });
    const transformMs = warmMedianMillis(() => transformBatch(event, settings, Date.now()));
    const zodMs = warmMedianMillis(() => zodPass(event));
    const cold = coldStartMillis(event);
    rows.push({
      event: name,
      'event MB': round(JSON.stringify(event).length / 1e6, 2),
      'Kinesis records': event.records.length,
      'data records': dataRecords,
      'hand-written pass ms': round(baselineMs),
      'transform warm ms': round(transformMs),
      'transform vs hand-written': `${round((transformMs / baselineMs - 1) * 100)} %`,
      'validators alone ms': round(validatorsMs),
      'validation overhead': `${round((validatorsMs / baselineMs) * 100)} %`,
      'zod warm ms (reference)': round(zodMs),
      'zod vs hand-written': `${round((zodMs / baselineMs - 1) * 100)} %`,
      'cold: load bundle ms': round(cold.requireMs),
      'cold: first invoke ms': round(cold.firstInvokeMs),
    });
  }
  printTable(`Firehose transform, node ${process.version}, ${os.cpus().length} cores`, rows);
}

main();
