import { type MessageToProduce, Producer } from '@platformatic/kafka';
import { StreamError } from '../../common/errors.ts';
import { baseClientOptions } from '../../kafka/client-options.ts';
import { javaCompatiblePartitioner } from '../../kafka/partitioner.ts';
import { type OffsetWithMetadata, TransactionOffsets } from '../../kafka/transaction-offsets.ts';
import { kafkaFailure } from './kafka-errors.ts';
import { sameCluster } from './kafka-positions.ts';

const LABEL = 'kafka sink (exactly-once)';
/** Records written after a barrier wait in memory until that checkpoint commits; past this the job fails. */
export const MAX_HELD_BYTES = 64 * 1024 * 1024;

export interface SharedTransactionOptions {
  readonly jobId: string;
  readonly bootstrap: string;
  readonly processIndex: number;
  readonly timeoutMs: number;
}

/**
 * What exactly-once sink writers use of their shared transaction: the KafkaTransaction itself, or in a
 * worker thread a proxy of the main thread's one (see remote-transaction.ts).
 *
 * @example
 * const txn: SharedTransaction = sharedTransaction({ jobId, bootstrap, processIndex: 0, timeoutMs: 60_000 });
 */
export interface SharedTransaction {
  readonly transactionalId: string;
  readonly bootstrap: string;
  readonly timeoutMs: number;
  readonly failed: boolean;
  join(member: object): Promise<void>;
  send(segment: number, messages: MessageToProduce[], bytes: number): Promise<void>;
  flush(): Promise<void>;
  commit(checkpointId: number, offsets: ReadonlyMap<string, readonly OffsetWithMetadata[]>): Promise<void>;
  endOfInput(member: object): Promise<void>;
  leave(member: object): Promise<void>;
}

/** Records a writer wrote after its barrier `segment`, waiting for checkpoint `segment` to commit. */
interface Held {
  readonly segment: number;
  readonly messages: MessageToProduce[];
  readonly bytes: number;
}

/** The client's transaction handle (its class is not exported by name). */
type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

const registry = new Map<string, KafkaTransaction>();
/** Set in a worker thread, whose writers must share the main thread's transaction instead of opening one. */
let provider: ((options: SharedTransactionOptions) => SharedTransaction) | undefined;

/**
 * Makes sharedTransaction() of this realm return `provide(options)`: a worker thread's proxy of the one
 * transaction the main thread holds (two producers with one transactional id would fence each other).
 *
 * @example provideSharedTransactions((options) => proxyOf(options)); // see useTransactionsOf()
 */
export function provideSharedTransactions(
  provide: (options: SharedTransactionOptions) => SharedTransaction,
): void {
  provider = provide;
}

/** The transactional id of a job's process: stable across restarts, so a new run fences the old one. */
export function transactionalIdOf(options: SharedTransactionOptions): string {
  return `${options.jobId}-${options.processIndex}`;
}

/**
 * The transaction every exactly-once Kafka sink writer of a job in this process (JS realm) shares on
 * one cluster: its transactional id is `${jobId}-${processIndex}`. A writer that finds one that failed
 * gets a new one, whose InitProducerId fences the old producer.
 *
 * @example
 * const txn = sharedTransaction({ jobId, bootstrap, processIndex: 0, timeoutMs: 60_000 });
 * await txn.join(writer);
 */
export function sharedTransaction(options: SharedTransactionOptions): SharedTransaction {
  if (provider !== undefined) return provider(options);
  const transactionalId = transactionalIdOf(options);
  for (const txn of registry.values()) {
    if (txn.transactionalId !== transactionalId || !sameCluster(txn.bootstrap, options.bootstrap)) continue;
    if (txn.failed) continue;
    if (txn.timeoutMs !== options.timeoutMs) {
      throw new StreamError(
        'CON_EXACTLY_ONCE_MISCONFIGURED',
        `exactly-once kafka sinks of job "${options.jobId}" share one transaction per cluster, but their ` +
          `transactionTimeout differs (${txn.timeoutMs} and ${options.timeoutMs} ms); give them the same one.`,
        { details: { jobId: options.jobId } },
      );
    }
    return txn;
  }
  const txn = new KafkaTransaction(transactionalId, options);
  registry.set(`${transactionalId}@${options.bootstrap}`, txn);
  return txn;
}

/**
 * One Kafka transaction per checkpoint for several sink writers. Records written before a writer's
 * barrier N go into the open transaction; records written after it wait in memory until checkpoint N
 * commits (the open transaction must hold exactly the records before barrier N when it commits). All
 * requests run one at a time: the client merges concurrent AddPartitionsToTxn requests into one.
 */
export class KafkaTransaction implements SharedTransaction {
  readonly transactionalId: string;
  readonly bootstrap: string;
  readonly timeoutMs: number;
  private readonly key: string;
  private readonly producer: Producer;
  private readonly offsets: TransactionOffsets;
  private readonly members = new Set<object>();
  private readonly ended = new Set<object>();
  private opening: Promise<void> | undefined;
  private txn: Transaction | undefined;
  /** Records or offsets were added to the open transaction, so it must be ended on the broker. */
  private started = false;
  private committedUpTo = Number.NEGATIVE_INFINITY;
  private held: Held[] = [];
  private heldBytes = 0;
  private tail: Promise<void> = Promise.resolve();
  private readonly commits = new Map<number, Promise<void>>();
  private failure: unknown;

  constructor(transactionalId: string, options: SharedTransactionOptions) {
    this.transactionalId = transactionalId;
    this.bootstrap = options.bootstrap;
    this.timeoutMs = options.timeoutMs;
    this.key = `${transactionalId}@${options.bootstrap}`;
    const base = baseClientOptions(
      { bootstrap: options.bootstrap, clientId: `eddy-txn-${transactionalId}` },
      'sink',
    );
    this.producer = new Producer({
      ...base,
      partitioner: javaCompatiblePartitioner(),
      idempotent: true,
      transactionalId,
      // The client sends producer id 0 / epoch 0 otherwise, which the broker fences for a restarted id.
      producerId: -1n,
      producerEpoch: -1,
      // The client sends its request timeout as the transaction timeout in InitProducerId.
      timeout: options.timeoutMs,
    });
    this.offsets = new TransactionOffsets({
      bootstrap: options.bootstrap,
      clientId: `eddy-txn-${transactionalId}`,
    });
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Adds a writer; the first one initialises the producer, which aborts what a previous run left open. */
  join(member: object): Promise<void> {
    this.members.add(member);
    this.opening ??= this.enqueue('begin a transaction', () => this.begin());
    return this.opening;
  }

  /**
   * Sends records of a writer whose last barrier was `segment` (-Infinity before any): into the open
   * transaction when checkpoint `segment` has committed, else held until it does.
   */
  send(segment: number, messages: MessageToProduce[], bytes: number): Promise<void> {
    return this.enqueue(`write to topic "${messages[0]?.topic}"`, async () => {
      if (segment <= this.committedUpTo) return this.sendNow(messages);
      this.held.push({ segment, messages, bytes });
      this.heldBytes += bytes;
      if (this.heldBytes > MAX_HELD_BYTES) {
        throw new StreamError(
          'CON_KAFKA_TRANSACTION_FAILED',
          `${LABEL}: more than ${MAX_HELD_BYTES >> 20} MiB were written after checkpoint ${segment}'s barrier ` +
            'while that checkpoint waits to commit; checkpoints complete too slowly for this output rate. ' +
            'Check the checkpoint storage, or lower the rate.',
          { details: { transactionalId: this.transactionalId } },
        );
      }
    });
  }

  /** Resolves when everything sent so far is in the transaction (or held). */
  flush(): Promise<void> {
    return this.enqueue('flush', async () => undefined);
  }

  /**
   * Commits checkpoint `checkpointId`: the records before its barrier (held ones too), then the offsets,
   * in one transaction. Writers sharing the transaction get the same promise; committing it again does
   * nothing.
   */
  commit(checkpointId: number, offsets: ReadonlyMap<string, readonly OffsetWithMetadata[]>): Promise<void> {
    if (checkpointId <= this.committedUpTo) return Promise.resolve();
    const running = this.commits.get(checkpointId);
    if (running !== undefined) return running;
    const done = this.enqueue(`commit the transaction of checkpoint ${checkpointId}`, async () => {
      if (checkpointId <= this.committedUpTo) return;
      await this.sendHeld((segment) => segment < checkpointId);
      for (const [groupId, list] of offsets) {
        this.started = true;
        await this.offsets.send(this.owner(), groupId, list);
      }
      await this.endAndBegin();
      this.committedUpTo = checkpointId;
      await this.sendHeld((segment) => segment <= checkpointId);
    });
    this.commits.set(checkpointId, done);
    const forget = () => this.commits.delete(checkpointId);
    done.then(forget, forget);
    return done;
  }

  /**
   * A writer's input ended. When every writer's has, the open transaction commits with all held records
   * (without offsets: the sources have ended), so a finished job's output is visible.
   */
  async endOfInput(member: object): Promise<void> {
    this.ended.add(member);
    await this.flush();
    if ([...this.members].some((m) => !this.ended.has(m))) return;
    await this.enqueue('commit the transaction at the end of input', async () => {
      await this.sendHeld(() => true);
      await this.endAndBegin();
    });
  }

  /** Removes a writer; the last one aborts what is open and closes the producer. */
  async leave(member: object): Promise<void> {
    this.members.delete(member);
    this.ended.delete(member);
    if (this.members.size > 0) return;
    if (registry.get(this.key) === this) registry.delete(this.key);
    await this.tail;
    const txn = this.txn;
    this.txn = undefined;
    // Aborting at once frees read_committed readers now instead of after the transaction timeout.
    if (txn !== undefined && this.started && this.failure === undefined)
      await txn.abort().catch(() => undefined);
    await Promise.allSettled([this.producer.close(), this.offsets.close()]);
  }

  private owner() {
    return {
      transactionalId: this.transactionalId,
      producerId: this.producer.producerId ?? -1n,
      producerEpoch: this.producer.producerEpoch ?? -1,
    };
  }

  private async begin(): Promise<void> {
    this.txn = await this.producer.beginTransaction();
    this.started = false;
  }

  private async endAndBegin(): Promise<void> {
    const txn = this.txn;
    if (txn === undefined) throw new Error('KafkaTransaction used before join()');
    // EndTxn for a transaction the broker never saw is refused, so an empty one ends locally.
    if (this.started) await txn.commit();
    else await txn.cancel();
    await this.begin();
  }

  private async sendNow(messages: MessageToProduce[]): Promise<void> {
    const txn = this.txn;
    if (txn === undefined) throw new Error('KafkaTransaction used before join()');
    this.started = true;
    await txn.send({ messages, autocreateTopics: true });
  }

  private async sendHeld(due: (segment: number) => boolean): Promise<void> {
    const later: Held[] = [];
    for (const held of this.held) {
      if (!due(held.segment)) later.push(held);
      else await this.sendNow(held.messages);
    }
    this.held = later;
    this.heldBytes = later.reduce((n, h) => n + h.bytes, 0);
  }

  /** Runs `step` after every earlier one; a failure fails the transaction for every writer. */
  private enqueue(what: string, step: () => Promise<void>): Promise<void> {
    const run = this.tail.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      try {
        await step();
      } catch (error) {
        this.failure = kafkaFailure(LABEL, this.bootstrap, what, error, 'CON_KAFKA_TRANSACTION_FAILED');
        if (registry.get(this.key) === this) registry.delete(this.key);
        throw this.failure;
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
