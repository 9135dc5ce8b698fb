import type { ManualClock } from '../../common/time.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../plan/state.ts';
import type { BackendSnapshotOptions, KeyedStateBackend } from '../backend.ts';
import { createSnapshotBufferWriter, openSnapshotBuffers, type SnapshotTarget } from '../snapshot-file.ts';
import type { KeyedStateEntry } from '../snapshot-format.ts';

export const ALL_GROUPS: SnapshotTarget = {
  keyGroups: { start: 0, end: 127 },
  subtaskIndex: 0,
  parallelism: 1,
};

/** A backend's snapshot as the bytes of a snapshot file. */
export async function snapshotBytes(
  backend: KeyedStateBackend,
  options?: BackendSnapshotOptions,
): Promise<Buffer> {
  const writer = createSnapshotBufferWriter();
  await backend.snapshot(writer, options);
  return (await writer.finish()).data;
}

export async function restoreFrom(
  backend: KeyedStateBackend,
  snapshots: readonly Buffer[],
  target: SnapshotTarget = ALL_GROUPS,
): Promise<void> {
  await backend.restore(await openSnapshotBuffers(snapshots, target));
}

/** Every entry of a backend, in the canonical format, sorted: equal state gives equal lists. */
export async function canonicalEntries(backend: KeyedStateBackend): Promise<[number, KeyedStateEntry][]> {
  const reader = await openSnapshotBuffers([await snapshotBytes(backend)], ALL_GROUPS);
  return sortEntries([...reader.keyedEntries()].map(({ keyGroup, entry }) => [keyGroup, entry]));
}

/** Sorts entries by key group, then key, namespace and state. */
export function sortEntries(entries: [number, KeyedStateEntry][]): [number, KeyedStateEntry][] {
  const text = ([, e]: [number, KeyedStateEntry]) => `${JSON.stringify(e.key)}|${e.namespace}|${e.state}`;
  return entries.sort((a, b) => a[0] - b[0] || text(a).localeCompare(text(b)));
}

export const COUNT: ValueStateDescriptor<number> = { kind: 'value', name: 'count' };
export const PROFILE: ValueStateDescriptor<{ since: Date; tags: Set<string> }> = {
  kind: 'value',
  name: 'profile',
};
export const PAGES: ListStateDescriptor<string> = { kind: 'list', name: 'pages' };
export const HITS: MapStateDescriptor<string, number> = { kind: 'map', name: 'hits' };
export const MAX: ReducingStateDescriptor<number> = {
  kind: 'reducing',
  name: 'max',
  reduce: (a, b) => Math.max(a, b),
};
export const AVG: AggregatingStateDescriptor<number, { sum: number; n: number }, number> = {
  kind: 'aggregating',
  name: 'avg',
  aggregate: {
    createAccumulator: () => ({ sum: 0, n: 0 }),
    add: (v, acc) => ({ sum: acc.sum + v, n: acc.n + 1 }),
    getResult: (acc) => acc.sum / acc.n,
    merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
  },
};
export const SESSION: ValueStateDescriptor<string> = { kind: 'value', name: 'session', ttl: { ttl: 1_000 } };
export const RECENT: ListStateDescriptor<string> = { kind: 'list', name: 'recent', ttl: { ttl: 1_000 } };
export const SEEN: MapStateDescriptor<string, number> = { kind: 'map', name: 'seen', ttl: { ttl: 1_000 } };
export const GONE: ValueStateDescriptor<string> = { kind: 'value', name: 'gone', ttl: { ttl: 10 } };

export const SAMPLE_KEYS: readonly unknown[] = ['ann', 42, ['tuple', 1], { user: 'x' }, undefined, 'bob'];

/**
 * Every kind of state for SAMPLE_KEYS, in the default namespace and a window's, with TTL states whose
 * entries were written at different times (the clock starts at 1000 and ends at 1600), and one TTL
 * value already expired at the end.
 */
export function fillAllKinds(backend: KeyedStateBackend, clock: ManualClock): void {
  clock.set(1_000);
  for (const [i, key] of SAMPLE_KEYS.entries()) {
    backend.setCurrentKey(key);
    const store = backend.store();
    store.getState(GONE).update('expires at 1010');
    store.getState(COUNT).update(i);
    store.getState(PROFILE).update({ since: new Date(1_000 * i), tags: new Set([`t${i}`, 'all']) });
    store.getListState(PAGES).addAll([`/a${i}`, `/b${i}`]);
    store.getMapState(HITS).put(`/a${i}`, i + 1);
    store.getMapState(HITS).put('/', 100);
    for (const v of [i, 2 * i, 7]) {
      store.getReducingState(MAX).add(v);
      store.getAggregatingState(AVG).add(v);
    }
    backend.store('0:10').getListState(PAGES).add(`window-${i}`);
    store.getListState(RECENT).add('early');
    store.getMapState(SEEN).put('early', 1);
  }
  clock.set(1_500);
  for (const key of SAMPLE_KEYS) {
    backend.setCurrentKey(key);
    const store = backend.store();
    store.getState(SESSION).update(`session of ${JSON.stringify(key)}`);
    store.getListState(RECENT).add('late');
    store.getMapState(SEEN).put('late', 2);
  }
  clock.set(1_600);
}

/** What a user function would read of one key, as plain data. */
export function readAllKinds(backend: KeyedStateBackend, key: unknown): unknown {
  backend.setCurrentKey(key);
  const store = backend.store();
  return {
    count: store.getState(COUNT).value(),
    profile: store.getState(PROFILE).value(),
    pages: [...store.getListState(PAGES).get()],
    window: [...backend.store('0:10').getListState(PAGES).get()],
    hits: [...store.getMapState(HITS).entries()],
    max: store.getReducingState(MAX).get(),
    avg: store.getAggregatingState(AVG).get(),
    session: store.getState(SESSION).value(),
    recent: [...store.getListState(RECENT).get()],
    seen: [...store.getMapState(SEEN).entries()],
    gone: store.getState(GONE).value(),
  };
}
