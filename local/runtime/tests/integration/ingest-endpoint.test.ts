import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { KinesisEmulator } from '@ingest-lake/local-emulators';
import { INGEST_ROUTES, MappingTemplateSyntaxError } from '@ingest-lake/shared';
import { IngestEndpoint } from '../../src/ingest-endpoint';

describe('IngestEndpoint (API Gateway stand-in) against kinesalite', () => {
  const kinesis = new KinesisEmulator();
  let endpoint: IngestEndpoint;
  let url: string;

  beforeAll(async () => {
    await kinesis.start();
    await kinesis.createStream('ingest', 1);
    endpoint = new IngestEndpoint({ kinesis: kinesis.client(), streamName: 'ingest', maxBodyBytes: 10_000 });
    url = `${await endpoint.start()}/PROD`;
  });
  afterAll(async () => {
    await endpoint.stop();
    await kinesis.stop();
  });

  async function streamData(): Promise<Array<{ data: string; partitionKey: string }>> {
    const client = kinesis.client();
    const shards = await client.send(new ListShardsCommand({ StreamName: 'ingest' }));
    const iterator = await client.send(new GetShardIteratorCommand({ StreamName: 'ingest', ShardId: shards.Shards![0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator! }));
    client.destroy();
    return (page.Records ?? []).map((r) => ({ data: Buffer.from(r.Data!).toString(), partitionKey: r.PartitionKey! }));
  }

  test('POST /v1 applies the mapping template: body + newline as Data, X-Amzn-Trace-Id as PartitionKey; answers like PutRecord', async () => {
    const response = await fetch(`${url}/v1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Amzn-Trace-Id': 'Root=1-abc-def' },
      body: '{"value":"30","type":"Tip 3"}',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ SequenceNumber: expect.stringMatching(/^\d+$/), ShardId: 'shardId-000000000000' });
    expect(await streamData()).toContainEqual({ data: '{"value":"30","type":"Tip 3"}\n', partitionKey: 'Root=1-abc-def' });
  });

  test('without X-Amzn-Trace-Id a trace id is generated as the partition key', async () => {
    await fetch(`${url}/v1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"type":"no-trace"}' });
    const record = (await streamData()).find((r) => r.data.includes('no-trace'))!;
    expect(record.partitionKey).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  test('POST /v1/batch maps to PutRecords with per-record results', async () => {
    const response = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ records: [{ type: 'a' }, { type: 'b' }] }),
    });
    const body = (await response.json()) as { FailedRecordCount: number; Records: unknown[] };
    expect(response.status).toBe(200);
    expect(body.FailedRecordCount).toBe(0);
    expect(body.Records).toHaveLength(2);
  });

  test('POST /v1/batch renders the template: each record + newline as Data (UTF-8), partition keys unique per record and per request', async () => {
    const post = (records: unknown[]) =>
      fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ records }) });
    expect((await post([{ type: 'batch-1', city: 'Zürich 東京' }, { type: 'batch-2', quote: 'say "hi"' }])).status).toBe(200);
    expect((await post([{ type: 'batch-3' }])).status).toBe(200);
    const stored = (await streamData()).filter((r) => r.data.includes('"batch-'));
    expect(stored.map((r) => r.data)).toEqual([
      '{"type":"batch-1","city":"Zürich 東京"}\n',
      '{"type":"batch-2","quote":"say \\"hi\\""}\n',
      '{"type":"batch-3"}\n',
    ]);
    expect(stored.map((r) => r.partitionKey)).toEqual([expect.stringMatching(/^[0-9a-f-]{36}-0$/), expect.stringMatching(/-1$/), expect.stringMatching(/-0$/)]);
    expect(new Set(stored.map((r) => r.partitionKey)).size).toBe(3);
  });

  test('a template Velocity would not parse fails the endpoint at construction, naming the template and line', () => {
    const brokenBatch = () => `{
  "Records": [
#foreach($record in $input.path('$.records'))
    { "Data": "$util.base64Encode("$input.json("$.records[$foreach.index]")")" }
#end
  ]
}`;
    const routes = INGEST_ROUTES.map((route) => (route.id === 'put-records' ? { ...route, template: brokenBatch } : route));
    const construct = () => new IngestEndpoint({ kinesis: kinesis.client(), streamName: 'ingest', routes });
    expect(construct).toThrow(MappingTemplateSyntaxError);
    expect(construct).toThrow(/mapping template "put-records" line 4: /);
  });

  test.each([
    { method: 'GET', route: '/v1', contentType: 'application/json', body: '{}', status: 405, message: 'Method Not Allowed' },
    { method: 'POST', route: '/v2', contentType: 'application/json', body: '{}', status: 404, message: 'no route' },
    { method: 'POST', route: '/v1', contentType: 'text/plain', body: '{}', status: 415, message: 'Content-Type: application/json' },
    { method: 'POST', route: '/v1', contentType: 'application/json', body: '{"a":', status: 400, message: 'not JSON' },
    { method: 'POST', route: '/v1', contentType: 'application/json', body: '[1,2]', status: 400, message: 'expected a JSON object' },
    { method: 'POST', route: '/v1', contentType: 'application/json', body: JSON.stringify({ big: 'x'.repeat(20_000) }), status: 413, message: 'larger than' },
    { method: 'POST', route: '/v1/batch', contentType: 'application/json', body: '{"records":[1]}', status: 400, message: 'records[0] is not a JSON object' },
    { method: 'POST', route: '/v1/batch', contentType: 'application/json', body: '{"records":[]}', status: 400, message: 'expected {"records"' },
  ])('$method $route ($contentType) → $status with a clear message', async ({ method, route, contentType, body, status, message }) => {
    const response = await fetch(`${url}${route}`, { method, headers: { 'Content-Type': contentType }, ...(method === 'GET' ? {} : { body }) });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { message: string }).message).toContain(message);
  });
});
