// A coordinator on a temporary directory with a manual clock, and shorthand for group requests.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../common/logging.ts';
import type { GroupCoordinatorConfig } from '../config.ts';
import { GroupCoordinator } from '../coordinator.ts';
import type { JoinGroupInput } from '../join-group.ts';
import type { JoinGroupResult, MemberProtocol } from '../member.ts';
import { ManualScheduler } from './manual-scheduler.ts';

export const SESSION_MS = 10_000;
export const REBALANCE_MS = 30_000;

/** Test defaults: short session bounds so tests can use small timeouts, Kafka's other defaults. */
export const TEST_CONFIG: Partial<GroupCoordinatorConfig> = { minSessionTimeoutMs: 100 };

export interface Harness {
  coordinator: GroupCoordinator;
  clock: ManualScheduler;
  dataDir: string;
  /** Closes and reopens the coordinator on the same directory (a broker restart). */
  restart(): Promise<GroupCoordinator>;
  cleanup(): Promise<void>;
}

/** Opens a coordinator for a test; call `cleanup()` at the end. */
export async function openHarness(config: Partial<GroupCoordinatorConfig> = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-groups-'));
  const clock = new ManualScheduler();
  const log = createLogger({ level: 'silent' });
  const open = () =>
    GroupCoordinator.open({
      dataDir,
      durability: 'os',
      log,
      scheduler: clock,
      config: { ...TEST_CONFIG, ...config },
    });
  const harness: Harness = {
    coordinator: await open(),
    clock,
    dataDir,
    async restart() {
      await harness.coordinator.close();
      harness.coordinator = await open();
      return harness.coordinator;
    },
    async cleanup() {
      await harness.coordinator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A consumer-protocol style protocol entry with readable metadata. */
export function protocol(name: string, metadata = `${name}-meta`): MemberProtocol {
  return { name, metadata: Buffer.from(metadata) };
}

/** A JoinGroup input with sensible defaults (v5+ semantics: member id required for dynamic members). */
export function joinInput(overrides: Partial<JoinGroupInput> = {}): JoinGroupInput {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    protocolType: 'consumer',
    protocols: [protocol('range')],
    requireKnownMemberId: true,
    ...overrides,
  };
}

/** Waits until a promise settles or reports that it is still pending (without real waiting). */
export async function settled<T>(promise: Promise<T>): Promise<T | 'pending'> {
  const marker = Symbol('pending');
  // setImmediate lets pending I/O callbacks and microtasks run once before deciding.
  const result = await Promise.race([
    promise,
    new Promise<typeof marker>((r) => setImmediate(() => r(marker))),
  ]);
  return result === marker ? 'pending' : (result as T);
}

/** Joins a dynamic member the v4+ way: first MEMBER_ID_REQUIRED, then the real join (left parked). */
export async function startJoin(
  coordinator: GroupCoordinator,
  overrides: Partial<JoinGroupInput> = {},
): Promise<{ memberId: string; joined: Promise<JoinGroupResult> }> {
  const first = await coordinator.joinGroup(joinInput(overrides));
  if (first.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`);
  return {
    memberId: first.memberId,
    joined: coordinator.joinGroup(joinInput({ ...overrides, memberId: first.memberId })),
  };
}

/** One member of a group formed by {@link formGroup}. */
export interface FormedMember {
  memberId: string;
  join: JoinGroupResult;
  assignment: Buffer;
}

/**
 * Joins `count` dynamic members at once and syncs them with the leader assigning `assigned-<i>` to the
 * i-th member; returns them in join order, Stable.
 */
export async function formGroup(
  h: Harness,
  count: number,
  overrides: Partial<JoinGroupInput> = {},
): Promise<FormedMember[]> {
  const started = [];
  for (let i = 0; i < count; i++)
    started.push(await startJoin(h.coordinator, { clientId: `c${i}`, ...overrides }));
  h.clock.advance(0);
  const joins = await Promise.all(started.map((s) => s.joined));
  const generationId = joins[0].generationId;
  const leader = joins[0].leader;
  const syncs = joins.map((j) =>
    h.coordinator.syncGroup({
      groupId: overrides.groupId ?? 'g',
      generationId,
      memberId: j.memberId,
      groupInstanceId: overrides.groupInstanceId ?? null,
      protocolType: null,
      protocolName: null,
      assignments:
        j.memberId === leader
          ? joins.map((m, i) => ({ memberId: m.memberId, assignment: Buffer.from(`assigned-${i}`) }))
          : [],
    }),
  );
  const synced = await Promise.all(syncs);
  return joins.map((join, i) => {
    if (synced[i].errorCode !== 0) throw new Error(`sync of member ${i} failed with ${synced[i].errorCode}`);
    return { memberId: join.memberId, join, assignment: synced[i].assignment };
  });
}
