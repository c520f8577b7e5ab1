export * from './firehose-contract';
export * from './record-outcome';
export * from './failure-envelope';
export * from './response-builder';
export * from './transform-record';
export * from './transform-batch';
export * from './settings';
export * from './http-event-envelope';
