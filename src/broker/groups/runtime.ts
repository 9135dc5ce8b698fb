import type { Logger } from '../../common/logging.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import type { ClassicGroup } from './group.ts';
import type { GroupStore } from './group-store.ts';
import type { OffsetStore } from './offset-store.ts';
import type { KeyedTimers } from './timers.ts';

/**
 * What the coordinator's operations share: the groups, the committed offsets, timers, the durable store.
 * Everything runs on Node's one thread, so an operation sees a consistent state until it awaits a write.
 */
export interface GroupRuntime {
  readonly config: GroupCoordinatorConfig;
  readonly log: Logger;
  readonly timers: KeyedTimers;
  readonly store: GroupStore;
  readonly groups: Map<string, ClassicGroup>;
  readonly offsets: OffsetStore;
}

/** Timer names, one namespace per purpose, as Kafka's coordinator keys them. */
export const timerKey = {
  join: (groupId: string) => `join:${groupId}`,
  sync: (groupId: string) => `sync:${groupId}`,
  heartbeat: (groupId: string, memberId: string) => `heartbeat:${JSON.stringify([groupId, memberId])}`,
  cleanup: 'cleanup',
} as const;
