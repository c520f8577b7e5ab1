import { t } from '../schema/column';
import { defineDataset } from '../schema/dataset';

/**
 * Events received over HTTP (API Gateway `POST /v1`, docs/api-templates.md). The request body
 * (e.g. `{"value":"30","type":"Tip 3"}`) is kept verbatim in `payload`, wrapped in an envelope.
 */
export const events = defineDataset({
  name: 'events',
  version: 1,
  description: 'Behaviour events received over HTTP, one row per request body, in an envelope.',
  columns: {
    event_id: t.string({ description: 'Unique id: client-supplied, or the Kinesis shard and sequence number.', maxLength: 256 }),
    event_time: t.timestamp({ description: 'When the event happened (UTC); arrival time when the client sent none.' }),
    ingest_time: t.timestamp({ description: 'When Kinesis accepted the record (UTC).' }),
    source: t.string({ description: 'Entry point: http, http-batch, sdk, …', maxLength: 64 }),
    trace_id: t.string({ nullable: true, description: 'X-Amzn-Trace-Id of the request (the Kinesis partition key).', maxLength: 256 }),
    event_type: t.string({ nullable: true, description: 'The payload\'s "type" field when it is a string.', maxLength: 256 }),
    payload: t.string({ description: 'The request body as canonical JSON.', maxLength: 262_144 }),
  },
  primaryKey: ['event_id'],
  eventTimeColumn: 'event_time',
});
