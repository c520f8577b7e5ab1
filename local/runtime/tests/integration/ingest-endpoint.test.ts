import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { KinesisEmulator } from '@ingest-lake/local-emulators';
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

  test.each([
    ['GET', '/v1', 'application/json', '{}', 405, 'Method Not Allowed'],
    ['POST', '/v2', 'application/json', '{}', 404, 'no route'],
    ['POST', '/v1', 'text/plain', '{}', 415, 'Content-Type: application/json'],
    ['POST', '/v1', 'application/json', '{"a":', 400, 'not JSON'],
    ['POST', '/v1', 'application/json', '[1,2]', 400, 'expected a JSON object'],
    ['POST', '/v1', 'application/json', JSON.stringify({ big: 'x'.repeat(20_000) }), 413, 'larger than'],
    ['POST', '/v1/batch', 'application/json', '{"records":[1]}', 400, 'records[0] is not a JSON object'],
    ['POST', '/v1/batch', 'application/json', '{"records":[]}', 400, 'expected {"records"'],
  ])('%s %s (%s) → %i with a clear message', async (method, route, contentType, body, status, message) => {
    const response = await fetch(`${url}${route}`, { method, headers: { 'Content-Type': contentType }, ...(method === 'GET' ? {} : { body }) });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { message: string }).message).toContain(message);
  });
});
