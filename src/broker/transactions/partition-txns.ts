// The transactions of one partition as its log shows them (Kafka's ongoingTxns, unreplicatedTxns and the
// transaction index of ProducerStateManager/UnifiedLog): which producers have a transaction open here and
// where it starts, which completed transactions still sit above the high watermark, and which were
// aborted. From these come the last stable offset and the aborted-transaction list of read_committed
// fetches. Fed by ProducerStateManager.record in log order, so it always describes the log below the
// producer state's mapEndOffset.

import { ControlRecordType } from '../../protocol/record-batch/control.ts';

/** One aborted transaction of the partition (Kafka's AbortedTxn; the `.txnindex` record). */
export interface AbortedTxn {
  readonly producerId: number;
  /** First offset of the producer's transaction in this partition. */
  readonly firstOffset: number;
  /** Offset of the ABORT marker. */
  readonly lastOffset: number;
  /**
   * The last stable offset right after the marker: the first offset of the oldest transaction still open
   * then, else lastOffset + 1. A search can stop at an entry whose value is at or above its upper bound.
   */
  readonly lastStableOffset: number;
}

/** An entry of a read_committed Fetch answer's `abortedTransactions`. */
export interface FetchAbortedTxn {
  producerId: number;
  firstOffset: number;
}

interface Completed {
  readonly firstOffset: number;
  readonly lastOffset: number;
}

/**
 * Open, completing and aborted transactions of one partition.
 *
 * @example
 * const txns = new PartitionTxns();
 * txns.begin(7, 100);
 * txns.lastStableOffset(150);                  // 100: producer 7's transaction holds readers back
 * txns.end(7, 120, ControlRecordType.ABORT);   // the marker at 120
 * txns.abortedTransactions(0, 130);            // [{ producerId: 7, firstOffset: 100 }]
 */
export class PartitionTxns {
  /** Producer id → first offset of its open transaction here. */
  private readonly ongoing = new Map<number, number>();
  /**
   * Transactions whose marker is written but may still be above the high watermark (Kafka's
   * unreplicatedTxns): readers must not pass their first offset until the marker itself is readable,
   * or data of a transaction would be served before its outcome is durable.
   */
  private completing: Completed[] = [];
  /** Ordered by lastOffset (markers are recorded in log order). */
  private aborted: AbortedTxn[] = [];
  /** Called for each new aborted transaction, to persist it (ProducerStates appends it to the index file). */
  onAborted: ((txn: AbortedTxn) => void) | null = null;

  /** A producer's first transactional batch in this partition since its last marker. */
  begin(producerId: number, firstOffset: number): void {
    if (!this.ongoing.has(producerId)) this.ongoing.set(producerId, firstOffset);
  }

  /**
   * A COMMIT or ABORT marker at `markerOffset`. A marker for a producer with nothing open here (a marker
   * written twice after a coordinator restart, or a partition the producer never wrote to) changes nothing.
   */
  end(producerId: number, markerOffset: number, type: number | null): void {
    const firstOffset = this.ongoing.get(producerId);
    if (firstOffset === undefined) return;
    this.ongoing.delete(producerId);
    this.completing.push({ firstOffset, lastOffset: markerOffset });
    if (type !== ControlRecordType.ABORT) return;
    let lastStableOffset = markerOffset + 1;
    for (const first of this.ongoing.values()) lastStableOffset = Math.min(lastStableOffset, first);
    const txn: AbortedTxn = { producerId, firstOffset, lastOffset: markerOffset, lastStableOffset };
    this.aborted.push(txn);
    this.onAborted?.(txn);
  }

  /** Replaces the open transactions (after loading a snapshot); completing ones are forgotten. */
  resetOngoing(open: Iterable<readonly [producerId: number, firstOffset: number]>): void {
    this.ongoing.clear();
    this.completing = [];
    for (const [producerId, firstOffset] of open) this.ongoing.set(producerId, firstOffset);
  }

  /** Replaces the aborted list (loaded from the index file), in marker order. */
  setAborted(list: readonly AbortedTxn[]): void {
    this.aborted = [...list].sort((a, b) => a.lastOffset - b.lastOffset);
  }

  /** Every aborted transaction known, in marker order (read-only use). */
  abortedList(): readonly AbortedTxn[] {
    return this.aborted;
  }

  /** Number of transactions open in this partition. */
  get openCount(): number {
    return this.ongoing.size;
  }

  /**
   * The first offset a read_committed reader must not pass, or null when nothing holds it back (Kafka's
   * firstUnstableOffset): the oldest open transaction, or a completed one whose marker is not yet below
   * the high watermark.
   */
  firstUnstableOffset(highWatermark: number): number | null {
    if (this.completing.length > 0)
      this.completing = this.completing.filter((t) => t.lastOffset >= highWatermark);
    let first: number | null = null;
    for (const offset of this.ongoing.values()) if (first === null || offset < first) first = offset;
    for (const t of this.completing) if (first === null || t.firstOffset < first) first = t.firstOffset;
    return first;
  }

  /** The last stable offset: the first unstable offset, capped by the high watermark. */
  lastStableOffset(highWatermark: number): number {
    const first = this.firstUnstableOffset(highWatermark);
    return first === null ? highWatermark : Math.min(first, highWatermark);
  }

  /**
   * Aborted transactions whose range meets [from, to): lastOffset >= from and firstOffset < to. What a
   * read_committed Fetch answers for data from `from` up to (not including) `to`.
   */
  abortedTransactions(from: number, to: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (let i = firstEndingAtOrAfter(this.aborted, from); i < this.aborted.length; i++) {
      const txn = this.aborted[i];
      if (txn.firstOffset < to) out.push(txn);
      // Every later marker belongs to a transaction that started at or after this one's stable point.
      if (txn.lastStableOffset >= to) break;
    }
    return out;
  }

  /** Drops aborted transactions wholly below `logStartOffset`; true when something was dropped. */
  pruneAborted(logStartOffset: number): boolean {
    const keep = firstEndingAtOrAfter(this.aborted, logStartOffset);
    if (keep === 0) return false;
    this.aborted = this.aborted.slice(keep);
    return true;
  }
}

/** Index of the first entry with lastOffset >= offset (binary search; entries are in marker order). */
function firstEndingAtOrAfter(list: readonly AbortedTxn[], offset: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].lastOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
