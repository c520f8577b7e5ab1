// `npm start` until the local runtime lands: sends the source documents' curl body and a
// malformed body through the built transform bundle, exactly as Firehose would, and prints
// what Firehose would deliver.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { handler } = require('../functions/firehose-transform/dist/index.js');

const bodies = ['{"value":"30","type":"Tip 3"}\n', '{"value":"31",'];
const now = Date.now();
const event = {
  invocationId: 'demo',
  deliveryStreamArn: 'arn:aws:firehose:local:000000000000:deliverystream/demo',
  region: 'local',
  records: bodies.map((body, i) => ({
    recordId: `demo-${i}`,
    approximateArrivalTimestamp: now,
    data: Buffer.from(body).toString('base64'),
    kinesisRecordMetadata: {
      shardId: 'shardId-000000000000',
      partitionKey: 'Root=1-demo',
      approximateArrivalTimestamp: now,
      sequenceNumber: String(49_000_000 + i),
      subsequenceNumber: '',
    },
  })),
};
const response = await handler(event);
for (const record of response.records) {
  console.log(`\n${record.recordId}: ${record.result}`, record.metadata ? JSON.stringify(record.metadata.partitionKeys) : '');
  console.log(Buffer.from(record.data, 'base64').toString('utf8').trim());
}
