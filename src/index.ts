// The package root: what a job file imports. `import { ... } from 'eddy'`.
export * from './api/index.ts';
export { isStreamError, StreamError } from './common/errors.ts';
export { type Clock, ManualClock, parseDuration, systemClock } from './common/time.ts';
export * from './connectors/index.ts';
export * from './engine/testing/index.ts';
export * from './job/index.ts';
