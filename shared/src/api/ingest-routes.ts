import { KINESIS_MAX_RECORDS_PER_PUT } from '../codec/kinesis-limits';

/*
 * The ingest API's request mapping templates: API Gateway integrated directly with Kinesis, no
 * Lambda in between (https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-kinesis.html).
 * API Gateway renders them with Apache Velocity 1.7; infra deploys this text and the local endpoint
 * renders this same text, and local/runtime/tests compare both engines on it (docs/api-templates.md).
 *
 * Two traps shape the text:
 * - A double-quoted Velocity string ends at the next `"`, so no quotes inside a quoted argument:
 *   the batch template first `#set`s the element's JSON, then encodes `"$recordJson<newline>"`.
 * - Velocity identifiers may contain `-`, so `$context.requestId-$foreach.index` reads a property
 *   named `requestId-`; the formal notation ends the name. It is written `$!{…}` because Terraform
 *   would interpolate a plain `${…}` in the synthesized `request_templates`.
 */

/**
 * POST /v1 → PutRecord: Data = base64 of the body's JSON plus a newline, PartitionKey = the
 * X-Amzn-Trace-Id header, StreamName fixed.
 */
export function putRecordTemplate(streamName: string): string {
  return `{
  "StreamName": "${streamName}",
  "Data": "$util.base64Encode("$input.json('$')
")",
  "PartitionKey": "$input.params('X-Amzn-Trace-Id')"
}`;
}

/**
 * POST /v1/batch → PutRecords: each element of `records` becomes one entry, Data = base64 of the
 * element's JSON plus a newline, PartitionKey = `<request id>-<index>` (unique per record).
 */
export function putRecordsTemplate(streamName: string): string {
  return `{
  "StreamName": "${streamName}",
  "Records": [
#foreach($record in $input.path('$.records'))
#set($recordJson = $input.json("$.records[$foreach.index]"))
    { "Data": "$util.base64Encode("$recordJson
")", "PartitionKey": "$!{context.requestId}-$foreach.index" }#if($foreach.hasNext),#end
#end
  ]
}`;
}

/** A JSON Schema (draft-04) request model, as API Gateway's request validator applies it. */
export interface IngestRequestModel {
  /** The API Gateway model name. */
  readonly name: string;
  /** The model's JSON schema. */
  readonly schema: Readonly<Record<string, unknown>>;
}

/** One route of the ingest API: POST `<stage><path>` → the Kinesis action, through the template. */
export interface IngestRoute {
  /** Stable id; names the template in errors and the route's resources in infra. */
  readonly id: 'put-record' | 'put-records';
  /** Resource path below the stage. */
  readonly path: '/v1' | '/v1/batch';
  /** The Kinesis API action the AWS integration calls. */
  readonly kinesisAction: 'PutRecord' | 'PutRecords';
  /** The `application/json` request model the body is validated against. */
  readonly model: IngestRequestModel;
  /** The `application/json` request mapping template for a stream. */
  readonly template: (streamName: string) => string;
}

const JSON_SCHEMA_DRAFT_04 = 'http://json-schema.org/draft-04/schema#';

/** The `Event` model: any non-empty JSON object. */
export const EVENT_MODEL: IngestRequestModel = {
  name: 'Event',
  schema: { $schema: JSON_SCHEMA_DRAFT_04, type: 'object', minProperties: 1 },
};

/** The `EventBatch` model: `{"records": [1..500 JSON objects]}`. */
export const EVENT_BATCH_MODEL: IngestRequestModel = {
  name: 'EventBatch',
  schema: {
    $schema: JSON_SCHEMA_DRAFT_04,
    type: 'object',
    required: ['records'],
    properties: {
      records: { type: 'array', minItems: 1, maxItems: KINESIS_MAX_RECORDS_PER_PUT, items: { type: 'object' } },
    },
  },
};

/** The ingest API's routes, shared by infra (API Gateway) and the local endpoint. */
export const INGEST_ROUTES: readonly IngestRoute[] = [
  { id: 'put-record', path: '/v1', kinesisAction: 'PutRecord', model: EVENT_MODEL, template: putRecordTemplate },
  {
    id: 'put-records',
    path: '/v1/batch',
    kinesisAction: 'PutRecords',
    model: EVENT_BATCH_MODEL,
    template: putRecordsTemplate,
  },
];
