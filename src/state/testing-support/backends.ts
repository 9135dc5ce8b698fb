import type { TestContext } from 'node:test';
import { type Clock, ManualClock } from '../../common/time.ts';
import type { KeyedStateBackend } from '../backend.ts';
import { createHeapStateBackend } from '../heap-backend.ts';
import type { KeyGroupRange } from '../key-groups.ts';
import { createLmdbStateBackend } from '../lmdb-backend.ts';

/** A backend as the shared tests use it: the contract plus sweepExpired, which both backends have. */
export type TestBackend = KeyedStateBackend & { sweepExpired(): number };

export type BackendKind = 'heap' | 'lmdb';
export const BACKEND_KINDS: readonly BackendKind[] = ['heap', 'lmdb'];

export interface TestBackendOptions {
  readonly clock?: Clock;
  readonly keyGroups?: KeyGroupRange;
  readonly maxParallelism?: number;
  /** lmdb only: a small cache makes rows go through lmdb. */
  readonly cacheRows?: number;
}

/**
 * A backend of the given kind for one test, disposed (and its lmdb files removed) when the test ends.
 *
 * @example
 * for (const kind of BACKEND_KINDS) test(`${kind}: ...`, (t) => { const b = testBackend(t, kind); ... });
 */
export function testBackend(
  t: TestContext,
  kind: BackendKind,
  options: TestBackendOptions = {},
): TestBackend {
  const base = {
    clock: options.clock ?? new ManualClock(0),
    keyGroups: options.keyGroups ?? { start: 0, end: (options.maxParallelism ?? 128) - 1 },
    maxParallelism: options.maxParallelism ?? 128,
  };
  if (kind === 'heap') {
    const backend = createHeapStateBackend(base);
    t.after(() => backend.dispose());
    return backend;
  }
  const backend = createLmdbStateBackend({ ...base, cacheRows: options.cacheRows });
  t.after(async () => {
    backend.dispose();
    await backend.closed;
  });
  return backend;
}
