import {
  Admin,
  addOffsetsToTxnV1,
  type Connection,
  ConnectionPool,
  FindCoordinatorKeyTypes,
  findErrorBy,
  txnOffsetCommitV3,
} from '@platformatic/kafka';
import { baseClientOptions, type KafkaClientOptions } from './client-options.ts';
import type { TopicPartition } from './partition-consumer.ts';

/** A group offset to commit: the next offset to read, with the metadata string stored beside it. */
export interface OffsetWithMetadata extends TopicPartition {
  readonly offset: bigint;
  readonly metadata: string;
}

/** Who owns the open transaction (from the transactional producer after InitProducerId). */
export interface TransactionOwner {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** The partition's leader epoch is unknown to us; -1 tells the broker not to check it. */
const NO_LEADER_EPOCH = -1;
const ATTEMPTS = 5;

/**
 * Sends consumer-group offsets inside a producer's open transaction (KIP-447): AddOffsetsToTxn to the
 * transaction coordinator, then TxnOffsetCommit to the group coordinator. The offsets become the group's
 * committed offsets exactly when the transaction commits, and vanish if it aborts. The client library
 * can only commit offsets of records its own consumer read, without metadata, so eddy sends these
 * requests itself.
 *
 * @example
 * const offsets = new TransactionOffsets({ bootstrap });
 * await offsets.send(owner, 'eddy-job-1', [{ topic: 'in', partition: 0, offset: 42n, metadata: 'eddy-checkpoint:3' }]);
 */
export class TransactionOffsets {
  private readonly admin: Admin;
  private readonly pool: ConnectionPool;

  constructor(options: KafkaClientOptions) {
    const base = baseClientOptions(options, 'txn-offsets');
    this.admin = new Admin(base);
    this.pool = new ConnectionPool(base.clientId);
  }

  async send(
    owner: TransactionOwner,
    groupId: string,
    offsets: readonly OffsetWithMetadata[],
  ): Promise<void> {
    if (offsets.length === 0) return;
    await retrying(async () => {
      const connection = await this.coordinator(FindCoordinatorKeyTypes.TRANSACTION, owner.transactionalId);
      await addOffsetsToTxnV1.api.async(
        connection,
        owner.transactionalId,
        owner.producerId,
        owner.producerEpoch,
        groupId,
      );
    });
    const topics = [...new Set(offsets.map((o) => o.topic))].map((name) => ({
      name,
      partitions: offsets
        .filter((o) => o.topic === name)
        .map((o) => ({
          partitionIndex: o.partition,
          committedOffset: o.offset,
          committedLeaderEpoch: NO_LEADER_EPOCH,
          committedMetadata: o.metadata,
        })),
    }));
    await retrying(async () => {
      const connection = await this.coordinator(FindCoordinatorKeyTypes.GROUP, groupId);
      // Generation -1 and no member id: the offsets are not tied to a group member (eddy assigns partitions itself).
      await txnOffsetCommitV3.api.async(
        connection,
        owner.transactionalId,
        groupId,
        owner.producerId,
        owner.producerEpoch,
        -1,
        '',
        null,
        topics,
      );
    });
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([this.admin.close(), this.pool.close()]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  private async coordinator(keyType: number, key: string): Promise<Connection> {
    const [found] = await this.admin.findCoordinator({
      keyType: keyType as (typeof FindCoordinatorKeyTypes)['GROUP'],
      keys: [key],
    });
    if (found === undefined) throw new Error(`no coordinator found for "${key}"`);
    return this.pool.get({ host: found.host, port: found.port });
  }
}

/** Retries what the broker calls retriable (a coordinator moving or loading, a transaction still completing). */
async function retrying(action: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      const retriable = error instanceof Error && findErrorBy(error, 'canRetry', true) !== null;
      if (!retriable || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
