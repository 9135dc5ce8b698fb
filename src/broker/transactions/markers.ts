// Writing a transaction's outcome into its data partitions: one COMMIT or ABORT control batch per
// partition (Kafka's WriteTxnMarkers, done in-process on a single node), appended through the partition's
// producer state so the state, the last stable offset and the aborted index always match the log.

import { isStreamError } from '../../common/errors.ts';
import { ControlRecordType, encodeEndTxnMarkerBatch } from '../../protocol/record-batch/control.ts';
import { LEADER_EPOCH } from '../produce/produce-partition.ts';
import type { ProducerBatchFields, ProducerStateManager } from '../producers/producer-state-manager.ts';
import type { ProducerStates } from '../producers/producer-states.ts';
import type { AppendGuard, AppendResult } from '../storage/partition-log.ts';
import type { TopicStore } from '../topics/topic-store.ts';

/** The outcome a marker carries. */
export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}

/**
 * The AppendGuard of a marker: admitted unconditionally (markers carry no sequence), recorded in the
 * partition's producer state in the same step as its write.
 */
export class MarkerGuard implements AppendGuard {
  private readonly state: ProducerStateManager;
  private readonly fields: ProducerBatchFields;
  private readonly nowMs: number;

  constructor(state: ProducerStateManager, fields: ProducerBatchFields, nowMs: number) {
    this.state = state;
    this.fields = fields;
    this.nowMs = nowMs;
  }

  admit(): boolean {
    // The coordinator's marker always wins: its epoch is the transactional id's current one, which no
    // producer batch can be newer than.
    return true;
  }

  appended(result: AppendResult, segmentBaseOffset: number): void {
    this.state.appendedAt(this.fields, result, segmentBaseOffset, this.nowMs);
  }
}

/**
 * Appends the marker to every partition in `partitions` concurrently and resolves once each is durable
 * under its partition's durability mode. Partitions that no longer exist (the topic was deleted) are
 * skipped, as Kafka drops markers for deleted partitions; storage failures are thrown.
 *
 * @example
 * await writeMarkers(topics, producers.states, [['orders', 0]], { producerId: 7, producerEpoch: 0,
 *   commit: true, coordinatorEpoch: 0 });
 */
export async function writeMarkers(
  topics: TopicStore,
  states: ProducerStates,
  partitions: readonly (readonly [string, number])[],
  marker: TxnMarker,
  clock: () => number = Date.now,
): Promise<void> {
  const type = marker.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
  await Promise.all(
    partitions.map(async ([topic, partition]) => {
      const log = topics.partition(topic, partition);
      if (log === undefined) return;
      const now = clock();
      const batch = encodeEndTxnMarkerBatch({
        type,
        producerId: marker.producerId,
        producerEpoch: marker.producerEpoch,
        coordinatorEpoch: marker.coordinatorEpoch,
        timestamp: now,
        partitionLeaderEpoch: LEADER_EPOCH,
      });
      const fields: ProducerBatchFields = {
        producerId: marker.producerId,
        producerEpoch: marker.producerEpoch,
        baseSequence: -1,
        lastOffsetDelta: 0,
        maxTimestamp: now,
        transactional: true,
        control: true,
        controlType: type,
        coordinatorEpoch: marker.coordinatorEpoch,
      };
      const guard = new MarkerGuard(states.forPartition(topic, partition, log), fields, now);
      try {
        await topics.appendIf(topic, partition, log, batch, guard);
      } catch (error) {
        // Deleted while the marker was on its way: nothing left to mark.
        if (isStreamError(error, 'BRK_STORAGE_CLOSED') && topics.partition(topic, partition) !== log) return;
        throw error;
      }
    }),
  );
}
