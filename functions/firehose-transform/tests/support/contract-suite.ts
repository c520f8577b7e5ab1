import type { FirehoseTransformationEvent, FirehoseTransformationResponse } from '../../src';
import { decodeFailureEnvelope } from '../../src/failure-envelope';
import { ARRIVAL_MILLIS, decodeData, firehoseEvent, firehoseRecord, marketRow, packData } from './firehose-events';

/** Invokes a transform (source or bundle) with an environment; returns the response and what it printed. */
export type InvokeTransform = (
  event: FirehoseTransformationEvent,
  env: Record<string, string>,
) => Promise<{ response: FirehoseTransformationResponse; stdout: string }>;

function failureOf(response: FirehoseTransformationResponse, index: number) {
  const record = response.records[index]!;
  expect(record.result).toBe('ProcessingFailed');
  const envelope = decodeFailureEnvelope(Buffer.from(record.data, 'base64'));
  if (!envelope) throw new Error(`record ${index} carries no failure envelope`);
  return envelope;
}

/**
 * The Firehose transformation contract, run against the source handler and against the
 * built bundle so that what is deployed is what is tested.
 */
export function describeFirehoseContract(label: string, invoke: InvokeTransform): void {
  describe(`Firehose transformation contract (${label})`, () => {
    test('the README example\'s curl body becomes one Ok events row with partition keys', async () => {
      const record = firehoseRecord('{"value":"30","type":"Tip 3"}\n', { partitionKey: 'Root=1-abc' });
      const { response } = await invoke(firehoseEvent([record]), {});
      expect(response.records).toHaveLength(1);
      const [result] = response.records;
      expect(result).toMatchObject({
        recordId: record.recordId,
        result: 'Ok',
        metadata: { partitionKeys: { dataset: 'events', dt: '2026-11-22' } },
      });
      const row = JSON.parse(decodeData(result!.data));
      expect(row).toMatchObject({
        event_id: `shardId-000000000000:${record.kinesisRecordMetadata!.sequenceNumber}`,
        event_time: '2026-11-22 09:30:00.250',
        ingest_time: '2026-11-22 09:30:00.250',
        source: 'http',
        trace_id: 'Root=1-abc',
        event_type: 'Tip 3',
        payload: '{"value":"30","type":"Tip 3"}',
        _dedup_key: `events:["shardId-000000000000:${record.kinesisRecordMetadata!.sequenceNumber}"]`,
        _origin: `kinesis:shardId-000000000000:${record.kinesisRecordMetadata!.sequenceNumber}`,
      });
      expect(decodeData(result!.data).endsWith('}\n')).toBe(true);
    });

    test('a client\'s own event_id and event_time are kept: a retry has the same dedup key, and a late event lands in its own dt', async () => {
      const body = '{"event_id":"client-42","event_time":"2026-11-20T23:59:30+09:00","type":"purchase"}\n';
      const first = firehoseRecord(body);
      const retry = firehoseRecord(body, { arrivalMillis: ARRIVAL_MILLIS + 60_000 });
      const { response } = await invoke(firehoseEvent([first, retry]), {});
      const rows = response.records.map((r) => {
        expect(r).toMatchObject({ result: 'Ok', metadata: { partitionKeys: { dataset: 'events', dt: '2026-11-20' } } });
        return JSON.parse(decodeData(r.data)) as Record<string, unknown>;
      });
      expect(rows[0]).toMatchObject({ event_id: 'client-42', event_time: '2026-11-20 14:59:30.000', ingest_time: '2026-11-22 09:30:00.250', _dedup_key: 'events:["client-42"]' });
      expect(rows[1]!._dedup_key).toBe(rows[0]!._dedup_key);
      expect(rows[1]!.ingest_time).toBe('2026-11-22 09:31:00.250');
    });

    test('a client\'s event_time too far from its arrival fails with a reason naming both times; the window is a setting', async () => {
      const stale = firehoseRecord('{"event_time":"2026-11-01T00:00:00Z","type":"x"}');
      const future = firehoseRecord(`{"event_time":${ARRIVAL_MILLIS + 3_600_000},"type":"x"}`);
      const malformed = firehoseRecord('{"event_id":7,"type":"x"}');
      const { response } = await invoke(firehoseEvent([stale, future, malformed]), {});
      expect(failureOf(response, 0).error).toMatchObject({ reason: 'event_time_out_of_range', field: 'event_time' });
      expect(failureOf(response, 0).error.detail).toBe('event_time 2026-11-01 00:00:00.000 is more than 168 h before its arrival (2026-11-22 09:30:00.250)');
      expect(failureOf(response, 1).error.detail).toMatch(/is more than 5 min after its arrival/);
      expect(failureOf(response, 2).error).toMatchObject({ field: 'event_id' });
      const widened = await invoke(firehoseEvent([firehoseRecord('{"event_time":"2026-11-01T00:00:00Z","type":"x"}')]), { EVENT_MAX_AGE_HOURS: '720' });
      expect(widened.response.records[0]).toMatchObject({ result: 'Ok', metadata: { partitionKeys: { dt: '2026-11-01' } } });
    });

    test('a pack becomes one Ok record of newline-delimited rows with dedup keys and source lines', async () => {
      const data = packData({ dataset: 'app_market_daily', origin: 'vendor-bulk:app_market/snapshot=2026-11-21/app_market_daily.csv.gz' }, [
        { r: marketRow(), l: 2 },
        { r: marketRow({ app_id: '9223372036854775807', device: 'ipad' }), l: 3 },
      ]);
      const { response } = await invoke(firehoseEvent([firehoseRecord(data)]), {});
      expect(response.records[0]).toMatchObject({ result: 'Ok', metadata: { partitionKeys: { dataset: 'app_market_daily', dt: '2026-11-20' } } });
      const lines = decodeData(response.records[0]!.data).trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      const second = JSON.parse(lines[1]!.replace('"app_id":9223372036854775807', '"app_id":"9223372036854775807"'));
      expect(second).toMatchObject({
        device: 'ipad',
        revenue_usd: 1234.5,
        active_users: null,
        _dedup_key: 'app_market_daily:["2026-11-20","9223372036854775807","KR","ipad"]',
        _origin: 'vendor-bulk:app_market/snapshot=2026-11-21/app_market_daily.csv.gz#3',
      });
      expect(lines[1]).toContain('"app_id":9223372036854775807,');
    });

    test('a positional pack (the collector\'s format) is curated like a named one', async () => {
      const columns = Object.keys(marketRow());
      const row = marketRow();
      const data = Buffer.from(
        `${JSON.stringify({ $pack: 1, dataset: 'app_market_daily', origin: 'x', columns })}\n${JSON.stringify([5, ...columns.map((c) => row[c])])}\n`,
      );
      const { response } = await invoke(firehoseEvent([firehoseRecord(data)]), {});
      expect(response.records[0]).toMatchObject({ result: 'Ok', metadata: { partitionKeys: { dataset: 'app_market_daily', dt: '2026-11-20' } } });
      expect(JSON.parse(decodeData(response.records[0]!.data).replace(/"app_id":(\d+)/, '"app_id":"$1"'))).toMatchObject({ country_code: 'KR', _origin: 'x#5', active_users: null });
    });

    test.each([
      ['non-base64 data', firehoseRecord('', { rawBase64: '@@not-base64@@' }), 'not_base64'],
      ['non-UTF-8 data', firehoseRecord(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])), 'not_utf8'],
      ['non-JSON data', firehoseRecord('value=30&type=Tip+3'), 'not_json'],
      ['a JSON array body', firehoseRecord('[1,2]'), 'not_an_object'],
      ['an unknown dataset', firehoseRecord(packData({ dataset: 'no_such_dataset', origin: 'x' }, [{ r: {} }])), 'unknown_dataset'],
      [
        'a missing field',
        firehoseRecord(packData({ dataset: 'app_market_daily', origin: 'x' }, [{ r: { ...marketRow(), downloads: undefined } }])),
        'missing_field',
      ],
      [
        'an extra field',
        firehoseRecord(packData({ dataset: 'app_market_daily', origin: 'x' }, [{ r: marketRow({ bonus: 1 }) }])),
        'unexpected_field',
      ],
      [
        'a wrong type',
        firehoseRecord(packData({ dataset: 'app_market_daily', origin: 'x' }, [{ r: marketRow({ is_estimate: { yes: true } }) }])),
        'wrong_type',
      ],
      [
        'an invalid value',
        firehoseRecord(packData({ dataset: 'app_market_daily', origin: 'x' }, [{ r: marketRow({ revenue_usd: '12.34567' }) }])),
        'invalid_value',
      ],
      [
        'a broken pack entry',
        firehoseRecord(Buffer.from('{"$pack":1,"dataset":"app_market_daily","origin":"x"}\n{"r":{"a":\n')),
        'bad_pack_entry',
      ],
      [
        'a pack spanning two dt partitions',
        firehoseRecord(
          packData({ dataset: 'app_market_daily', origin: 'x' }, [{ r: marketRow() }, { r: marketRow({ metric_date: '2026-11-21' }) }]),
        ),
        'mixed_partition',
      ],
    ])('%s → ProcessingFailed (%s) while its neighbours stay Ok', async (_label, bad, reason) => {
      const good = firehoseRecord('{"type":"ok"}');
      const { response } = await invoke(firehoseEvent([good, bad, firehoseRecord('{"type":"ok"}')]), {});
      expect(response.records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed', 'Ok']);
      expect(response.records[1]!.recordId).toBe(bad.recordId);
      const envelope = failureOf(response, 1);
      expect(envelope.error.reason).toBe(reason);
      expect(envelope.sourceData).toBe(bad.data);
    });

    test('a failure names the entry, its source line and the field', async () => {
      const data = packData({ dataset: 'app_market_daily', origin: 'x' }, [
        { r: marketRow(), l: 10 },
        { r: marketRow({ downloads: 'many' }), l: 11 },
      ]);
      const { response } = await invoke(firehoseEvent([firehoseRecord(data)]), {});
      const { error } = failureOf(response, 0);
      expect(error).toMatchObject({ reason: 'invalid_value', field: 'downloads', entry: 2, dataset: 'app_market_daily' });
      expect(error.detail).toBe(
        'entry 2 (source line 11): field "downloads": invalid_value (expected bigint (64-bit integer), got "many")',
      );
    });

    test('known datasets routed to another delivery stream and empty records are Dropped, not lost silently', async () => {
      const market = firehoseRecord(packData({ dataset: 'app_market_daily', origin: 'x' }, [{ r: marketRow() }]));
      const empty = firehoseRecord(Buffer.alloc(0));
      const { response, stdout } = await invoke(firehoseEvent([market, empty]), { DATASETS: 'events' });
      expect(response.records.map((r) => r.result)).toEqual(['Dropped', 'Dropped']);
      expect(stdout).toContain('RecordsDropped');
      expect(stdout).toContain('routed_elsewhere');
    });

    test('output that would pass the 6 MB response limit degrades trailing records to ProcessingFailed with source data', async () => {
      // ~1 KB rows grow ~2× when base64 + envelope are added; 3,400 of them cannot all fit in 6 MB.
      const body = JSON.stringify({ type: 'big', text: 'x'.repeat(900) });
      const records = Array.from({ length: 3_400 }, () => firehoseRecord(body));
      const { response } = await invoke(firehoseEvent(records), {});
      expect(response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
      expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(6_291_456);
      const results = response.records.map((r) => r.result);
      const firstFailed = results.indexOf('ProcessingFailed');
      expect(firstFailed).toBeGreaterThan(0);
      expect(results.slice(firstFailed).every((r) => r === 'ProcessingFailed')).toBe(true);
      expect(response.records[records.length - 1]!.data).toBe(records[records.length - 1]!.data);
    });

    test('EMF metrics count records per dataset and reason', async () => {
      const { stdout } = await invoke(
        firehoseEvent([firehoseRecord('{"type":"a"}'), firehoseRecord('{"type":"b"}'), firehoseRecord('oops')]),
        {},
      );
      const emf = stdout
        .split('\n')
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(emf).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ dataset: 'events', RecordsOk: 2 }),
          expect.objectContaining({ dataset: 'unknown', reason: 'not_json', RecordsFailed: 1 }),
        ]),
      );
      expect(stdout).toContain('"reason":"not_json"');
    });
  });
}
