// Test tooling shared by the collector's suites and the cross-package suites. Not for the demo
// (which imports only the package's main entry): nothing here may be needed at run time.
export * from './simulator-defaults';
export * from './collector-cli';
export * from './kill-hook';
