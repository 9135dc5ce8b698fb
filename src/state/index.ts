export type { KeyedStateBackend, KeyedStateBackendOptions } from './backend.ts';
export { createHeapStateBackend, HeapStateBackend } from './heap-backend.ts';
export { DEFAULT_NAMESPACE } from './heap-rows.ts';
export * from './key-groups.ts';
export { mapKeyOf } from './key-identity.ts';
export { type Timer, type TimerDomain, TimerService } from './timers.ts';
