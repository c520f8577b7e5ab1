import { INGEST_ROUTES, KINESIS_MAX_RECORDS_PER_PUT, putRecordsTemplate, putRecordTemplate } from '../../src';

describe('ingest routes', () => {
  test('POST /v1 → PutRecord with the Event model; POST /v1/batch → PutRecords with the EventBatch model', () => {
    expect(INGEST_ROUTES.map((r) => [r.id, r.path, r.kinesisAction, r.model.name])).toEqual([
      ['put-record', '/v1', 'PutRecord', 'Event'],
      ['put-records', '/v1/batch', 'PutRecords', 'EventBatch'],
    ]);
    expect(INGEST_ROUTES[1]!.model.schema).toMatchObject({
      required: ['records'],
      properties: { records: { minItems: 1, maxItems: KINESIS_MAX_RECORDS_PER_PUT } },
    });
  });

  test.each([
    ['putRecordTemplate', putRecordTemplate],
    ['putRecordsTemplate', putRecordsTemplate],
  ])('%s puts the stream name in and leaves Terraform nothing to interpolate (no ${ or %{)', (_name, template) => {
    const text = template('events-stream');
    expect(text).toContain('"StreamName": "events-stream"');
    expect(text).not.toMatch(/[$%]\{/);
  });

  test('the batch template keys records by request id and index in formal notation, with no quotes nested in a quoted argument', () => {
    const text = putRecordsTemplate('s');
    expect(text).toContain('"PartitionKey": "$!{context.requestId}-$foreach.index"');
    expect(text).not.toContain('$context.requestId-');
    expect(text).not.toMatch(/\("[^"\n]*\("/);
  });
});
