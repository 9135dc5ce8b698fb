import type { KeyedStateBackend, KeyedStateBackendOptions } from '../state/backend.ts';
import { createHeapStateBackend } from '../state/index.ts';

/**
 * The keyed state backend of one keyed operator subtask. The one place that picks the backend, so the
 * lmdb backend (or a per-job choice) plugs in here.
 *
 * @example
 * const backend = createKeyedStateBackend({ clock, keyGroups: { start: 0, end: 127 }, maxParallelism: 128 });
 */
export function createKeyedStateBackend(options: KeyedStateBackendOptions): KeyedStateBackend {
  return createHeapStateBackend(options);
}
