export * from './infra-error';
export * from './app';
export * from './aspects/policy-rules';
export * from './aspects/policy-aspect';
export * from './config/environment-config';
