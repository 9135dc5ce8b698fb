// Facts about a partition the cleaner needs beyond keys: how each transaction ended, and each producer's
// last batch (kept so producer state can be rebuilt from the log). The transaction and idempotence layers
// may supply them (PartitionTxnView); otherwise they are derived from the log itself in one pass over batch
// headers and control records, which gives the same answers because markers are never removed while data
// of their transaction remains.

import { ControlRecordType } from '../../protocol/record-batch/control.ts';

/** A transaction aborted in this partition (Kafka's AbortedTxn, without its lastStableOffset). */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
}

/** A producer's last entry in the log (Kafka's LastRecord). */
export interface ProducerLastRecord {
  /** Last offset of its last data batch, or null when the log holds only its markers. */
  lastDataOffset: number | null;
  producerEpoch: number;
}

/**
 * The seam through which the transaction coordinator and producer state may inform compaction about one
 * partition. Every member is optional: the cleaner derives what is missing from the log.
 */
export interface PartitionTxnView {
  /** First offset of the oldest open transaction (Kafka's first unstable offset), or null when none. */
  firstUnstableOffset?(): number | null;
  /** Aborted transactions overlapping [from, to) (Kafka: the `.txnindex` files). */
  abortedTransactions?(from: number, to: number): readonly AbortedTxn[];
  /** Active producers by id; batches of producers not listed (expired) need not be kept. */
  activeProducers?(): ReadonlyMap<number, ProducerLastRecord>;
}

/** How the transaction a transactional batch belongs to ended, as far as the log shows. */
export type TxnFate = 'committed' | 'aborted' | 'open';

/** Answers the fate of a transactional data batch. */
export interface TxnFates {
  fateOf(producerId: number, offset: number): TxnFate;
}

/** Header facts of one batch, in log order. */
export interface BatchFacts {
  producerId: number;
  producerEpoch: number;
  baseOffset: number;
  lastOffset: number;
  transactional: boolean;
  control: boolean;
  /** Control record type (0 ABORT, 1 COMMIT, ...) of a control batch, or null when it has no record. */
  controlType: number | null;
}

interface Txn {
  first: number;
  end: number;
  aborted: boolean;
}

/** Fates from a list of aborted transactions: inside one is aborted, any other transactional batch committed. */
export class AbortedListFates implements TxnFates {
  private readonly byProducer = new Map<number, AbortedTxn[]>();

  constructor(aborted: readonly AbortedTxn[]) {
    for (const txn of aborted) {
      const list = this.byProducer.get(txn.producerId) ?? [];
      list.push(txn);
      this.byProducer.set(txn.producerId, list);
    }
  }

  fateOf(producerId: number, offset: number): TxnFate {
    const list = this.byProducer.get(producerId) ?? [];
    return list.some((t) => t.firstOffset <= offset && offset <= t.lastOffset) ? 'aborted' : 'committed';
  }
}

/**
 * Collects transaction outcomes and each producer's last entry from batches seen in offset order.
 *
 * @example
 * const facts = new LogFactsBuilder();
 * for (const b of batches) facts.add(b);
 * facts.fateOf(7, 120); // 'aborted' when producer 7's transaction holding offset 120 ended with ABORT
 */
export class LogFactsBuilder implements TxnFates {
  private readonly txns = new Map<number, Txn[]>();
  private readonly open = new Map<number, number>();
  private readonly producers = new Map<number, ProducerLastRecord>();

  add(batch: BatchFacts): void {
    const pid = batch.producerId;
    if (pid < 0) return;
    const last = this.producers.get(pid) ?? { lastDataOffset: null, producerEpoch: batch.producerEpoch };
    last.producerEpoch = batch.producerEpoch;
    if (!batch.control) last.lastDataOffset = batch.lastOffset;
    this.producers.set(pid, last);
    if (batch.control) {
      const type = batch.controlType;
      const first = this.open.get(pid);
      if (first === undefined || (type !== ControlRecordType.ABORT && type !== ControlRecordType.COMMIT))
        return;
      const list = this.txns.get(pid) ?? [];
      list.push({ first, end: batch.lastOffset, aborted: type === ControlRecordType.ABORT });
      this.txns.set(pid, list);
      this.open.delete(pid);
    } else if (batch.transactional && !this.open.has(pid)) {
      this.open.set(pid, batch.baseOffset);
    }
  }

  fateOf(producerId: number, offset: number): TxnFate {
    const list = this.txns.get(producerId) ?? [];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const txn = list[mid];
      if (offset < txn.first) hi = mid - 1;
      else if (offset > txn.end) lo = mid + 1;
      else return txn.aborted ? 'aborted' : 'committed';
    }
    // No marker seen (yet): undecided, which the cleaner treats conservatively.
    return 'open';
  }

  /** Each producer's last entry among the batches added. */
  activeProducers(): ReadonlyMap<number, ProducerLastRecord> {
    return this.producers;
  }
}
