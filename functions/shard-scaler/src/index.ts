export * from './scaling-decision';
export * from './stream-load-reader';
