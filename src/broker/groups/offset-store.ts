/** A committed position, as Kafka keeps it (OffsetCommitValue). */
export interface CommittedOffset {
  readonly offset: number;
  /** -1 when the client did not say. */
  readonly leaderEpoch: number;
  /** Never null: a null commit metadata is stored as '' (Kafka's NO_METADATA). */
  readonly metadata: string;
  readonly commitTimestamp: number;
  /** Only OffsetCommit v2–v4 with an explicit retention set this; null = the broker's retention applies. */
  readonly expireTimestamp: number | null;
}

/** Where one offset lives. */
export interface OffsetKey {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * The committed offsets of every group, in memory, indexed group → topic → partition. Only durable
 * commits are put here (OffsetCommit writes to disk first), so OffsetFetch never returns an offset a
 * crash could take back.
 *
 * Transactional offsets (TxnOffsetCommit) will live beside these as *pending* until their transaction
 * ends: {@link markPendingTransactional} / {@link clearPendingTransactional} are the seam, and
 * {@link hasPendingTransactional} is what OffsetFetch(requireStable) consults to answer
 * UNSTABLE_OFFSET_COMMIT.
 */
export class OffsetStore {
  private readonly byGroup = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private readonly pending = new Map<string, Map<string, Set<number>>>();

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byGroup.get(groupId)?.get(topic)?.get(partition);
  }

  put(key: OffsetKey, value: CommittedOffset): void {
    const topics = getOrCreate(
      this.byGroup,
      key.groupId,
      () => new Map<string, Map<number, CommittedOffset>>(),
    );
    getOrCreate(topics, key.topic, () => new Map<number, CommittedOffset>()).set(key.partition, value);
  }

  delete(key: OffsetKey): void {
    const topics = this.byGroup.get(key.groupId);
    const partitions = topics?.get(key.topic);
    if (topics === undefined || partitions === undefined) return;
    partitions.delete(key.partition);
    if (partitions.size === 0) topics.delete(key.topic);
    if (topics.size === 0) this.byGroup.delete(key.groupId);
  }

  /** Every committed offset of a group, by topic. */
  groupOffsets(groupId: string): ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>> {
    return this.byGroup.get(groupId) ?? new Map();
  }

  hasOffsets(groupId: string): boolean {
    return this.byGroup.has(groupId);
  }

  /** Every (group, topic, partition) holding an offset of `topic`; for when a topic is deleted. */
  keysOfTopic(topic: string): OffsetKey[] {
    const keys: OffsetKey[] = [];
    for (const [groupId, topics] of this.byGroup) {
      for (const partition of topics.get(topic)?.keys() ?? []) keys.push({ groupId, topic, partition });
    }
    return keys;
  }

  /** A transactional commit of this partition awaits its transaction's outcome. */
  markPendingTransactional(key: OffsetKey): void {
    const topics = getOrCreate(this.pending, key.groupId, () => new Map<string, Set<number>>());
    getOrCreate(topics, key.topic, () => new Set<number>()).add(key.partition);
  }

  clearPendingTransactional(key: OffsetKey): void {
    const topics = this.pending.get(key.groupId);
    topics?.get(key.topic)?.delete(key.partition);
    if (topics?.get(key.topic)?.size === 0) topics.delete(key.topic);
    if (topics?.size === 0) this.pending.delete(key.groupId);
  }

  hasPendingTransactional(groupId: string, topic: string, partition: number): boolean {
    return this.pending.get(groupId)?.get(topic)?.has(partition) ?? false;
  }

  /** Whether any transaction holds offsets of this group (such a group is never expired). */
  hasAnyPendingTransactional(groupId: string): boolean {
    return this.pending.has(groupId);
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
