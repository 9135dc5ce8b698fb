import { KafkaError } from '../error-codes.ts';

const { REBALANCE_IN_PROGRESS } = KafkaError;

/** One protocol a member can speak (e.g. `range`), with its opaque subscription bytes. */
export interface MemberProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

/** What a JoinGroup request gets back (the handler maps it onto the wire version). */
export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Filled for the leader only: every member and its metadata for the chosen protocol. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

/** What a SyncGroup request gets back. */
export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** A JoinGroup answer carrying only an error (and the member id the client should use next). */
export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    members: [],
  };
}

/** A SyncGroup answer carrying only an error. */
export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/** Everything a member declares when it joins. */
export interface MemberSpec {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: readonly MemberProtocol[];
}

/**
 * A member of a classic group. A member is "awaiting join" while its JoinGroup request is parked and
 * "awaiting sync" while its SyncGroup request is; the parked request is answered through the stored
 * resolver, exactly once.
 */
export class GroupMember {
  memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  readonly protocolType: string;
  protocols: readonly MemberProtocol[];
  assignment: Buffer = EMPTY;
  /** Joined during the current rebalance and never completed one: may time out while awaiting join. */
  isNew = false;
  private joinWaiter: ((result: JoinGroupResult) => void) | null = null;
  private syncWaiter: ((result: SyncGroupResult) => void) | null = null;

  constructor(spec: MemberSpec) {
    this.memberId = spec.memberId;
    this.groupInstanceId = spec.groupInstanceId;
    this.clientId = spec.clientId;
    this.clientHost = spec.clientHost;
    this.rebalanceTimeoutMs = spec.rebalanceTimeoutMs;
    this.sessionTimeoutMs = spec.sessionTimeoutMs;
    this.protocolType = spec.protocolType;
    this.protocols = spec.protocols;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.joinWaiter !== null;
  }

  get isAwaitingSync(): boolean {
    return this.syncWaiter !== null;
  }

  /**
   * Parks a JoinGroup. A request already parked (the client gave up on it and retried, usually on another
   * connection) is answered REBALANCE_IN_PROGRESS so that it does not hang; only the newest gets the result.
   */
  awaitJoin(waiter: (result: JoinGroupResult) => void): void {
    this.completeJoin(joinError(this.memberId, REBALANCE_IN_PROGRESS));
    this.joinWaiter = waiter;
  }

  /** Parks a SyncGroup, answering an older parked one as {@link awaitJoin} does. */
  awaitSync(waiter: (result: SyncGroupResult) => void): void {
    this.completeSync(syncError(REBALANCE_IN_PROGRESS));
    this.syncWaiter = waiter;
  }

  /** Answers the parked JoinGroup, if any. Returns whether there was one. */
  completeJoin(result: JoinGroupResult): boolean {
    const waiter = this.joinWaiter;
    if (waiter === null) return false;
    this.joinWaiter = null;
    waiter(result);
    return true;
  }

  /** Answers the parked SyncGroup, if any. Returns whether there was one. */
  completeSync(result: SyncGroupResult): boolean {
    const waiter = this.syncWaiter;
    if (waiter === null) return false;
    this.syncWaiter = null;
    waiter(result);
    return true;
  }

  /** The member's subscription bytes for `protocol` (empty if it does not speak it). */
  metadata(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  /** Whether a rejoin carries exactly the protocols (names, order and bytes) this member has. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every(
        (p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata),
      )
    );
  }

  /** The member's most preferred protocol among `candidates` (its list is in preference order). */
  vote(candidates: ReadonlySet<string>): string | undefined {
    return this.protocols.find((p) => candidates.has(p.name))?.name;
  }
}
