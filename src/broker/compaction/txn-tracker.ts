// Transaction state carried through one cleaning pass (Kafka's CleanedTransactionMetadata): which data
// batches belong to aborted transactions (removable), and when a marker may go. A marker is removable only
// when the pass met no batch of its transaction, i.e. all of that transaction's data is already gone;
// even then it stays until its delete horizon has passed (batch-filter.ts).

import { ControlRecordType } from '../../protocol/record-batch/control.ts';
import type { TxnFates } from './log-facts.ts';

/** The header facts the tracker reads. */
export interface TrackedBatch {
  producerId: number;
  baseOffset: number;
  transactional: boolean;
}

/**
 * Feed every batch of the pass in offset order.
 *
 * @example
 * const tracker = new CleanedTxnTracker(fates);
 * tracker.onDataBatch(batch);          // true: aborted data, may be dropped
 * tracker.onControlBatch(marker, 1);   // true: a COMMIT whose transaction left no data in this pass
 */
export class CleanedTxnTracker {
  private readonly fates: TxnFates;
  /** Producers whose aborted data this pass met since their last marker. */
  private readonly seenAborted = new Set<number>();
  /** Producers whose committed (or undecided) transactional data this pass met since their last marker. */
  private readonly seenCommitted = new Set<number>();

  constructor(fates: TxnFates) {
    this.fates = fates;
  }

  /** A data batch: returns true when it belongs to an aborted transaction and its records may go. */
  onDataBatch(batch: TrackedBatch): boolean {
    if (!batch.transactional) return false;
    if (this.fates.fateOf(batch.producerId, batch.baseOffset) === 'aborted') {
      this.seenAborted.add(batch.producerId);
      return true;
    }
    this.seenCommitted.add(batch.producerId);
    return false;
  }

  /**
   * A control batch with record type `type` (null when an earlier clean emptied it): returns true when
   * the marker no longer guards any data and may go once its delete horizon passes.
   */
  onControlBatch(batch: TrackedBatch, type: number | null): boolean {
    if (type === null) return true;
    if (type === ControlRecordType.ABORT) return !this.seenAborted.delete(batch.producerId);
    if (type === ControlRecordType.COMMIT) return !this.seenCommitted.delete(batch.producerId);
    return false;
  }
}
