export * from './control-server.ts';
export * from './embedded-broker.ts';
export * from './run-job.ts';
