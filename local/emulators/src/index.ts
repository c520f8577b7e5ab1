export * from './kinesis-emulator';
export * from './s3-emulator';
export * from './kinesis-fault-proxy';
export * from './http-fault-proxy';
export * from './loopback-server';
export * from './moto-server';
export * from './stop-child-process';
