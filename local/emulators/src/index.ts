export * from './kinesis-emulator';
export * from './s3-emulator';
