// Which records of a topic were written in committed and in aborted transactions, read straight from
// the log (read_uncommitted, with eddy's own codec) by following each producer's data batches to its
// COMMIT or ABORT marker. An independent account of the outcome, to hold a read_committed client's view
// against: it relies on the markers only, not on the broker's aborted-transaction index or LSO.
import { FETCH_SCHEMA } from '../../src/protocol/messages/index.ts';
import {
  ControlRecordType,
  decodeControlRecord,
  decodeRecordBatches,
} from '../../src/protocol/record-batch/index.ts';
import type { KafkaSocket } from '../support/kafka-socket.ts';

/** Values by outcome; `open` are transactional values with no marker yet. */
export interface TxnOutcomes {
  committed: string[];
  aborted: string[];
  open: string[];
}

/** Reads partitions 0..partitions-1 of `topic` from offset 0 to their end. */
export async function txnOutcomes(
  socket: KafkaSocket,
  topic: string,
  partitions: number,
): Promise<TxnOutcomes> {
  const out: TxnOutcomes = { committed: [], aborted: [], open: [] };
  for (let partition = 0; partition < partitions; partition++) {
    const pending = new Map<number, string[]>();
    let offset = 0;
    for (;;) {
      const answer = await socket.request<{
        responses: { partitions: { errorCode: number; highWatermark: number; records: Buffer | null }[] }[];
      }>(FETCH_SCHEMA, 12, {
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 8 << 20,
        isolationLevel: 0,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 << 20 }] }],
        forgottenTopicsData: [],
      });
      const p = answer.responses[0].partitions[0];
      if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}: error ${p.errorCode}`);
      const batches = decodeRecordBatches(p.records ?? Buffer.alloc(0));
      for (const batch of batches) {
        if (batch.baseOffset + batch.lastOffsetDelta < offset) continue;
        if (batch.control) {
          const type = decodeControlRecord(batch.records[0]).type;
          const values = pending.get(batch.producerId) ?? [];
          (type === ControlRecordType.COMMIT ? out.committed : out.aborted).push(...values);
          pending.delete(batch.producerId);
        } else {
          const values = batch.records.map((r) => r.value?.toString() ?? '<null>');
          if (batch.transactional)
            pending.set(batch.producerId, [...(pending.get(batch.producerId) ?? []), ...values]);
          else out.committed.push(...values);
        }
        offset = batch.baseOffset + batch.lastOffsetDelta + 1;
      }
      if (batches.length === 0 || offset >= p.highWatermark) break;
    }
    for (const values of pending.values()) out.open.push(...values);
  }
  return out;
}
