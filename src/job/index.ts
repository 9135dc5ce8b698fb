export * from './embedded-broker.ts';
export * from './run-job.ts';
