import { StreamError } from '../../common/errors.ts';
import { CONSUMER_PROTOCOL_TYPE, subscribedTopics } from './consumer-protocol.ts';
import {
  GroupMember,
  type JoinGroupResult,
  joinError,
  type MemberProtocol,
  type SyncGroupResult,
  syncError,
} from './member.ts';

/** The states of a classic group, spelled as Kafka reports them in DescribeGroups and ListGroups. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** Kafka's state machine: the states each state may be entered from. */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

/**
 * The membership state of one classic consumer group: members, static instance ids, generation, chosen
 * protocol and leader. It holds data and enforces the state machine; the decisions (when to rebalance,
 * whom to expire) live in `rebalance.ts` and the operation files.
 */
export class ClassicGroup {
  readonly groupId: string;
  private currentState: GroupState;
  previousState: GroupState | null = null;
  /** When the group entered its current state (Kafka's currentStateTimestamp); null if unknown. */
  stateTimestamp: number | null;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, GroupMember>();
  /** Members told MEMBER_ID_REQUIRED that have not joined with their id yet. */
  readonly pendingJoinMembers = new Set<string>();
  /** Members of the new generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** Set when a member joins during the initial (delayed) rebalance, which then waits a little longer. */
  newMemberAdded = false;
  private readonly staticMembers = new Map<string, string>();
  private readonly protocolVotes = new Map<string, number>();

  constructor(groupId: string, now: number | null, state: GroupState = 'Empty') {
    this.groupId = groupId;
    this.currentState = state;
    this.stateTimestamp = now;
  }

  get state(): GroupState {
    return this.currentState;
  }

  is(state: GroupState): boolean {
    return this.currentState === state;
  }

  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.currentState)) {
      throw new StreamError(
        'BRK_GROUP_STATE_INVALID',
        `group ${this.groupId} cannot go from ${this.currentState} to ${state}`,
        { details: { groupId: this.groupId, from: this.currentState, to: state } },
      );
    }
    this.previousState = this.currentState;
    this.currentState = state;
    this.stateTimestamp = now;
  }

  /** Whether a rebalance may start from the current state. */
  canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.currentState);
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  member(memberId: string): GroupMember {
    const member = this.members.get(memberId);
    if (member === undefined) throw new Error(`unknown member ${memberId}`);
    return member;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  staticMemberId(groupInstanceId: string | null): string | undefined {
    return groupInstanceId === null ? undefined : this.staticMembers.get(groupInstanceId);
  }

  /** A request carrying `groupInstanceId` with a member id other than the one registered for it. */
  isStaticMemberFenced(groupInstanceId: string | null, memberId: string): boolean {
    const known = this.staticMemberId(groupInstanceId);
    return known !== undefined && known !== memberId;
  }

  /** Adds a member; the first one fixes the group's protocol type and becomes the leader. */
  add(member: GroupMember, joinWaiter?: (result: JoinGroupResult) => void): void {
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.leaderId ??= member.memberId;
    this.members.set(member.memberId, member);
    this.countProtocols(member.protocols, 1);
    if (joinWaiter !== undefined) member.awaitJoin(joinWaiter);
    this.pendingJoinMembers.delete(member.memberId);
  }

  /** Removes a member (or a pending one); a departing leader hands over to the oldest remaining member. */
  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member !== undefined) {
      this.members.delete(memberId);
      this.countProtocols(member.protocols, -1);
      if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    this.pendingJoinMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /** A rejoining member's new protocols and timeouts, and its parked JoinGroup. */
  updateMember(
    member: GroupMember,
    protocols: readonly MemberProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    joinWaiter: ((result: JoinGroupResult) => void) | null,
  ): void {
    this.countProtocols(member.protocols, -1);
    member.protocols = protocols;
    this.countProtocols(protocols, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (joinWaiter !== null) member.awaitJoin(joinWaiter);
  }

  /**
   * Gives a static member a new member id, keeping its protocols and assignment. Requests still parked
   * under the old id are answered FENCED_INSTANCE_ID: that client instance has been replaced.
   */
  replaceStaticMember(
    groupInstanceId: string,
    oldMemberId: string,
    newMemberId: string,
    fenced: number,
  ): GroupMember {
    const old = this.member(oldMemberId);
    this.members.delete(oldMemberId);
    old.completeJoin(joinError(oldMemberId, fenced));
    old.completeSync(syncError(fenced));
    const replacement = new GroupMember({
      memberId: newMemberId,
      groupInstanceId: old.groupInstanceId,
      clientId: old.clientId,
      clientHost: old.clientHost,
      rebalanceTimeoutMs: old.rebalanceTimeoutMs,
      sessionTimeoutMs: old.sessionTimeoutMs,
      protocolType: old.protocolType,
      protocols: old.protocols,
    });
    replacement.assignment = old.assignment;
    this.members.set(newMemberId, replacement);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    this.pendingSyncMembers.delete(oldMemberId);
    return replacement;
  }

  /** Every member, and no member told MEMBER_ID_REQUIRED, has (re)joined. */
  hasAllMembersJoined(): boolean {
    return this.pendingJoinMembers.size === 0 && [...this.members.values()].every((m) => m.isAwaitingJoin);
  }

  numAwaitingJoin(): number {
    let count = 0;
    for (const member of this.members.values()) if (member.isAwaitingJoin) count++;
    return count;
  }

  /** The longest rebalance timeout of the members: how long a rebalance may wait for them. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  /**
   * Makes sure the leader is a member that rejoined: if the current leader did not, the first member
   * that did takes over. False when nobody rejoined (or there is no leader at all).
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    if (this.member(this.leaderId).isAwaitingJoin) return true;
    for (const member of this.members.values()) {
      if (member.isAwaitingJoin) {
        this.leaderId = member.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a member with this protocol type and these protocol names may join: any non-empty declaration
   * for an empty group, else the same type and at least one protocol every current member supports.
   */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocols.length > 0;
    return (
      this.protocolType === protocolType &&
      protocols.some((p) => (this.protocolVotes.get(p.name) ?? 0) === this.members.size)
    );
  }

  /**
   * The protocol for the next generation: among protocols every member supports, each member votes for
   * its most preferred one and the most votes win. Ties go to the protocol the leader prefers, so the
   * choice does not depend on hash ordering (Kafka leaves ties unspecified).
   */
  selectProtocol(): string {
    const candidates = new Set<string>();
    for (const [name, count] of this.protocolVotes) if (count === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const vote = member.vote(candidates);
      if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
    }
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId);
    const order = leader?.protocols.map((p) => p.name) ?? [...candidates];
    let best: string | undefined;
    for (const name of order) {
      if ((votes.get(name) ?? 0) > (best === undefined ? 0 : votes.get(best)!)) best = name;
    }
    if (best === undefined) {
      throw new StreamError(
        'BRK_GROUP_STATE_INVALID',
        `group ${this.groupId} has no protocol all members support`,
      );
    }
    return best;
  }

  /** Starts the next generation: CompletingRebalance with a chosen protocol, or Empty if nobody is left. */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.transitionTo('Empty', now);
    }
    this.pendingSyncMembers.clear();
  }

  /** The leader's view of the members: id, instance id and metadata for the chosen protocol. */
  currentMemberMetadata(): JoinGroupResult['members'] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(this.protocolName),
    }));
  }

  /** Answers every parked SyncGroup with `result(member)`; returns the members that had one. */
  completeSyncs(result: (member: GroupMember) => SyncGroupResult): GroupMember[] {
    const answered: GroupMember[] = [];
    for (const member of this.members.values())
      if (member.completeSync(result(member))) answered.push(member);
    return answered;
  }

  /**
   * Topics the members subscribe to, for offset expiry: null when unknown (not a consumer group, or a
   * subscription that does not parse), in which case no offset of an active group expires.
   */
  subscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    const topics = new Set<string>();
    for (const member of this.members.values()) {
      const parsed = subscribedTopics(member.metadata(this.protocolName));
      if (parsed === null) return null;
      for (const topic of parsed) topics.add(topic);
    }
    return topics;
  }

  private countProtocols(protocols: readonly MemberProtocol[], delta: number): void {
    // A name a member lists twice is still one member supporting it (Kafka compares sets of names);
    // counting it twice made the protocol look unsupported and left the rebalance unable to finish.
    for (const name of new Set(protocols.map((p) => p.name)))
      this.protocolVotes.set(name, (this.protocolVotes.get(name) ?? 0) + delta);
  }
}
