export * from './vendor-simulator';
export * from './app-market-generator';
export * from './write-vendor-file';
