// The broker's producer bookkeeping in one place: producer id allocation, transactional ids, and the
// per-partition producer state that makes Produce idempotent. Handlers reach it as `broker.producers`.

import { join } from 'node:path';
import type { Logger } from '../../common/logging.ts';
import { KafkaError } from '../error-codes.ts';
import type { Durability } from '../storage/log-config.ts';
import { MetaStore } from '../storage/meta-store.ts';
import type { TopicStore } from '../topics/topic-store.ts';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from './append-rules.ts';
import { DEFAULT_PRODUCER_CONFIG, type ProducerConfig } from './config.ts';
import { ProducerIdManager } from './producer-ids.ts';
import { ProducerStates } from './producer-states.ts';
import { type ExpectedProducer, type InitResult, TransactionalIds } from './transactional-ids.ts';

/** What Producers.open needs. */
export interface ProducersOptions {
  dataDir: string;
  durability: Durability;
  topics: TopicStore;
  log: Logger;
  config?: Partial<ProducerConfig>;
  clock?: () => number;
}

/** An InitProducerId request as the handler passes it on (v3+ fields are -1 before v3). */
export interface InitProducerIdInput {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: number;
  producerEpoch: number;
}

/**
 * Producer ids, transactional ids and per-partition producer state of one broker.
 *
 * @example
 * const producers = await Producers.open({ dataDir, durability: 'fsync', topics, log });
 * const { producerId } = await producers.initProducerId({ transactionalId: null, transactionTimeoutMs: 60_000,
 *   producerId: -1, producerEpoch: -1 });
 */
export class Producers {
  readonly config: Readonly<ProducerConfig>;
  readonly ids: ProducerIdManager;
  readonly transactionalIds: TransactionalIds;
  readonly states: ProducerStates;
  private readonly meta: MetaStore<unknown>;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly timer: NodeJS.Timeout;
  private expiring: Promise<void> = Promise.resolve();

  private constructor(options: ProducersOptions, meta: MetaStore<unknown>, states: ProducerStates) {
    this.config = { ...DEFAULT_PRODUCER_CONFIG, ...options.config };
    this.meta = meta;
    this.log = options.log;
    this.clock = options.clock ?? Date.now;
    this.ids = new ProducerIdManager(meta);
    this.transactionalIds = new TransactionalIds(meta, this.ids, this.clock);
    this.states = states;
    this.timer = setInterval(() => {
      this.expiring = this.expiring
        .then(() => this.expire())
        .catch((error: unknown) => {
          this.log.error({ err: error }, 'producer expiration failed');
        });
    }, this.config.producerIdExpirationCheckIntervalMs);
    this.timer.unref();
  }

  /**
   * Opens `<dataDir>/meta/producers.*` and loads the producer state of every partition of `topics`. Call
   * after the topics are open and before the broker serves requests.
   */
  static async open(options: ProducersOptions): Promise<Producers> {
    const meta = await MetaStore.open<unknown>(join(options.dataDir, 'meta'), 'producers', {
      durability: options.durability,
    });
    const clock = options.clock ?? Date.now;
    const states = await ProducerStates.open(options.topics, options.log, clock());
    return new Producers(options, meta, states);
  }

  /**
   * InitProducerId: an idempotent producer (no transactional id) gets a new producer id at epoch 0, as
   * Kafka answers even when it sends its old id and epoch (v3+); a transactional id keeps its producer id
   * and gets the next epoch, which fences older instances. Errors are Kafka codes in the result.
   */
  async initProducerId(request: InitProducerIdInput): Promise<InitResult> {
    const { transactionalId, transactionTimeoutMs, producerId, producerEpoch } = request;
    const invalid = this.checkInitRequest(request);
    if (invalid !== KafkaError.NONE) {
      return { errorCode: invalid, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
    }
    if (transactionalId === null) {
      return { errorCode: KafkaError.NONE, producerId: await this.ids.generate(), producerEpoch: 0 };
    }
    const expected: ExpectedProducer | null =
      producerId === NO_PRODUCER_ID ? null : { producerId, producerEpoch };
    return this.transactionalIds.init(transactionalId, transactionTimeoutMs, expected);
  }

  /**
   * InitProducerId's request checks, before any state is looked at: id and epoch both set or both -1
   * (else INVALID_REQUEST); a transactional id not empty (INVALID_REQUEST) with a timeout in
   * 1..`transaction.max.timeout.ms` (INVALID_TRANSACTION_TIMEOUT). NONE when the request is well-formed.
   */
  checkInitRequest(request: InitProducerIdInput): number {
    const { transactionalId, transactionTimeoutMs, producerId, producerEpoch } = request;
    // Kafka: an id without an epoch (or the reverse) is a malformed request.
    if ((producerId === NO_PRODUCER_ID) !== (producerEpoch === NO_PRODUCER_EPOCH))
      return KafkaError.INVALID_REQUEST;
    if (transactionalId === null) return KafkaError.NONE;
    if (transactionalId === '') return KafkaError.INVALID_REQUEST;
    if (transactionTimeoutMs <= 0 || transactionTimeoutMs > this.config.transactionMaxTimeoutMs) {
      return KafkaError.INVALID_TRANSACTION_TIMEOUT;
    }
    return KafkaError.NONE;
  }

  /** Runs producer-id and transactional-id expiration now (the timer does it every check interval). */
  async expire(): Promise<void> {
    const now = this.clock();
    const producers = this.states.expire(now, this.config.producerIdExpirationMs);
    const txnIds = await this.transactionalIds.expire(now, this.config.transactionalIdExpirationMs);
    if (producers + txnIds > 0)
      this.log.info({ producers, transactionalIds: txnIds }, 'expired producer state');
  }

  /**
   * Stops expiration and writes producer-state snapshots, so the next start replays nothing. Appends that
   * land after the snapshots are replayed from the log instead; nothing is lost either way.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.expiring;
    await this.states.snapshotAll();
    await this.meta.close();
  }
}
