export type { BackendSnapshotOptions, KeyedStateBackend, KeyedStateBackendOptions } from './backend.ts';
export { createHeapStateBackend, HeapStateBackend } from './heap-backend.ts';
export { DEFAULT_NAMESPACE } from './heap-rows.ts';
export * from './key-groups.ts';
export { mapKeyOf } from './key-identity.ts';
export { createLmdbStateBackend, LmdbStateBackend, type LmdbStateBackendOptions } from './lmdb-backend.ts';
export * from './snapshot-file.ts';
export * from './snapshot-format.ts';
export { type Timer, type TimerDomain, TimerService } from './timers.ts';
