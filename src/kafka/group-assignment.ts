// The bytes eddy's job processes exchange through the Kafka group protocol, and the assignment of a job's
// tasks to members. The broker treats both as opaque (protocol type "eddy"), so only eddy reads them.
// Layouts (big-endian), version 1; a later version may only append fields, readers skip what follows:
//   subscription: int16 version | int32 tasks | int16 name length | name (UTF-8) | int32 n | n × int32 owned
//   assignment:   int16 version | int32 tasks | int32 members | int32 n | n × int32 task

import { StreamError } from '../common/errors.ts';

/** Protocol type of the group: not "consumer", so Kafka tools do not try to read our bytes as a consumer's. */
export const GROUP_PROTOCOL_TYPE = 'eddy';
/** The one protocol every member offers. */
export const GROUP_PROTOCOL_NAME = 'eddy-tasks';
const VERSION = 1;

/** What one member owns in one generation of the job's group. */
export interface TaskAssignment {
  /** The group generation; it rises with every rebalance. */
  readonly generation: number;
  /** Task numbers in [0, tasks), ascending. */
  readonly tasks: readonly number[];
  /** How many members the group has in this generation. */
  readonly members: number;
}

/** One member as the leader sees it when it assigns tasks. */
export interface GroupMemberInfo {
  readonly memberId: string;
  /** The name the process gave itself (host-pid), for logs. */
  readonly name: string;
  /** How many tasks this member believes the job has. */
  readonly tasks: number;
  /** Tasks it owned before this rebalance (empty for a new member), so an assignor can keep them in place. */
  readonly owned: readonly number[];
}

/**
 * Computes the assignment: member id → tasks. Members come sorted by member id. Every task in
 * [0, tasks) must go to exactly one member; members left out get no tasks.
 *
 * @example
 * const firstTakesAll: TaskAssignor = (tasks, members) =>
 *   new Map([[members[0].memberId, Array.from({ length: tasks }, (_, i) => i)]]);
 */
export type TaskAssignor = (
  tasks: number,
  members: readonly GroupMemberInfo[],
) => ReadonlyMap<string, readonly number[]>;

/**
 * The default assignor: balanced contiguous ranges over members sorted by member id; the first
 * `tasks % members` members get one task more.
 *
 * @example
 * assignContiguousRanges(5, [a, b]); // a → [0, 1, 2], b → [3, 4]
 */
export const assignContiguousRanges: TaskAssignor = (tasks, members) => {
  const result = new Map<string, number[]>();
  const base = Math.floor(tasks / members.length);
  const extra = tasks % members.length;
  let next = 0;
  members.forEach((member, index) => {
    const count = base + (index < extra ? 1 : 0);
    result.set(
      member.memberId,
      Array.from({ length: count }, (_, i) => next + i),
    );
    next += count;
  });
  return result;
};

/** What a member tells the leader when it joins. */
export interface Subscription {
  readonly tasks: number;
  readonly name: string;
  readonly owned: readonly number[];
}

/** Encodes a member's JoinGroup metadata. */
export function encodeSubscription(subscription: Subscription): Buffer {
  const name = Buffer.from(subscription.name, 'utf8');
  const out = Buffer.alloc(2 + 4 + 2 + name.length + 4 + 4 * subscription.owned.length);
  let at = out.writeInt16BE(VERSION, 0);
  at = out.writeInt32BE(subscription.tasks, at);
  at = out.writeInt16BE(name.length, at);
  at += name.copy(out, at);
  at = out.writeInt32BE(subscription.owned.length, at);
  for (const task of subscription.owned) at = out.writeInt32BE(task, at);
  return out;
}

/** Decodes a member's JoinGroup metadata; throws ENG_GROUP_ASSIGNMENT_INVALID for bytes eddy cannot read. */
export function decodeSubscription(memberId: string, bytes: Buffer): GroupMemberInfo {
  return unreadable(`the join metadata of member ${memberId}`, () => {
    const reader = new Reader(bytes);
    const tasks = reader.int32();
    const name = reader.string();
    const owned = reader.int32s();
    return { memberId, name, tasks, owned };
  });
}

/** Encodes one member's share for SyncGroup. */
export function encodeAssignment(tasks: number, members: number, owned: readonly number[]): Buffer {
  const out = Buffer.alloc(2 + 4 + 4 + 4 + 4 * owned.length);
  let at = out.writeInt16BE(VERSION, 0);
  at = out.writeInt32BE(tasks, at);
  at = out.writeInt32BE(members, at);
  at = out.writeInt32BE(owned.length, at);
  for (const task of owned) at = out.writeInt32BE(task, at);
  return out;
}

/** A decoded SyncGroup share: the job's task count as the leader saw it, the group size, our tasks. */
export interface DecodedAssignment {
  readonly tasks: number;
  readonly members: number;
  readonly owned: readonly number[];
}

/** Decodes our share from SyncGroup; throws ENG_GROUP_ASSIGNMENT_INVALID for bytes eddy cannot read. */
export function decodeAssignment(bytes: Buffer): DecodedAssignment {
  return unreadable('the assignment the group leader sent', () => {
    const reader = new Reader(bytes);
    const tasks = reader.int32();
    const members = reader.int32();
    const owned = reader.int32s();
    return { tasks, members, owned };
  });
}

/**
 * Runs the assignor over the joined members (sorted by member id) and checks its answer: known members
 * only, every task once, none out of range. Returns each member's encoded share.
 */
export function computeAssignment(
  tasks: number,
  members: readonly GroupMemberInfo[],
  assign: TaskAssignor,
): Map<string, Buffer> {
  const sorted = [...members].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0,
  );
  const disagreeing = sorted.filter((m) => m.tasks !== tasks);
  if (disagreeing.length > 0) {
    const list = disagreeing.map((m) => `${m.name} says ${m.tasks}`).join(', ');
    throw invalid(
      `the members of the job's group disagree on the number of tasks (the leader has ${tasks}; ${list}): every process of a job must run the same job version with the same inputs`,
    );
  }
  let chosen: ReadonlyMap<string, readonly number[]>;
  try {
    chosen = assign(tasks, sorted);
  } catch (error) {
    throw invalid(`the task assignor threw: ${(error as Error).message ?? String(error)}`, error);
  }
  const owner = new Map<number, string>();
  for (const [memberId, list] of chosen) {
    if (!sorted.some((m) => m.memberId === memberId)) {
      throw invalid(`the task assignor gave tasks to "${memberId}", which is not a member of the group`);
    }
    for (const task of list) {
      if (!Number.isInteger(task) || task < 0 || task >= tasks) {
        throw invalid(`the task assignor gave out task ${task}; tasks are 0 to ${tasks - 1}`);
      }
      const previous = owner.get(task);
      if (previous !== undefined) {
        throw invalid(`the task assignor gave task ${task} to both "${previous}" and "${memberId}"`);
      }
      owner.set(task, memberId);
    }
  }
  const unowned = Array.from({ length: tasks }, (_, i) => i).filter((task) => !owner.has(task));
  if (unowned.length > 0) {
    throw invalid(`the task assignor left tasks ${unowned.join(', ')} without an owner; assign every task`);
  }
  const shares = new Map<string, Buffer>();
  for (const member of sorted) {
    const owned = [...(chosen.get(member.memberId) ?? [])].sort((a, b) => a - b);
    shares.set(member.memberId, encodeAssignment(tasks, sorted.length, owned));
  }
  return shares;
}

function invalid(message: string, cause?: unknown): StreamError {
  return new StreamError('ENG_GROUP_ASSIGNMENT_INVALID', message, { cause });
}

function unreadable<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw invalid(
      `eddy cannot read ${what} (${(error as Error).message}): every process of a job must run a compatible eddy version`,
      error,
    );
  }
}

/** Bounds-checked reads over a version-prefixed buffer. */
class Reader {
  private at = 2;
  private readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
    if (bytes.length < 2) throw new Error('it is empty');
    const version = bytes.readInt16BE(0);
    if (version < 1) throw new Error(`version ${version} is not one eddy wrote`);
  }

  int32(): number {
    this.need(4);
    const value = this.bytes.readInt32BE(this.at);
    this.at += 4;
    return value;
  }

  string(): string {
    this.need(2);
    const length = this.bytes.readInt16BE(this.at);
    this.at += 2;
    this.need(length);
    const value = this.bytes.toString('utf8', this.at, this.at + length);
    this.at += length;
    return value;
  }

  int32s(): number[] {
    const count = this.int32();
    if (count < 0) throw new Error(`a negative count (${count})`);
    this.need(4 * count);
    return Array.from({ length: count }, () => this.int32());
  }

  private need(bytes: number): void {
    if (this.at + bytes > this.bytes.length) throw new Error('it ends early');
  }
}
