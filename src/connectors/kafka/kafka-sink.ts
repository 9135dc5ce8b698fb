import { type MessageToProduce, Producer } from '@platformatic/kafka';
import { z } from 'zod';
import { StreamError } from '../../common/errors.ts';
import type { Batch } from '../../engine/batch.ts';
import type { SinkContext, SinkWriter, SourcePositions } from '../../engine/sink.ts';
import { userFunctionFailed } from '../../engine/user-function-error.ts';
import { baseClientOptions } from '../../kafka/client-options.ts';
import { javaCompatiblePartitioner } from '../../kafka/partitioner.ts';
import type { SinkDescriptor } from '../../plan/connectors.ts';
import { sinkSide } from '../connector.ts';
import { parseConfig } from '../shared/config-error.ts';
import { durationMs, fn, nonEmpty } from '../shared/schemas.ts';
import { kafkaFailure, missingBootstrap } from './kafka-errors.ts';
import { transactionTimeoutFor } from './kafka-exactly-once.ts';
import { encodeKey, encodeValue, type KafkaSinkFormat } from './kafka-formats.ts';
import { offsetsByGroup } from './kafka-positions.ts';
import { type SharedTransaction, sharedTransaction } from './kafka-transaction.ts';

export const kafkaSinkConfig = z.strictObject({
  topic: nonEmpty,
  bootstrap: nonEmpty.optional(),
  format: z.union(
    [
      z.enum(['json', 'string']),
      z.strictObject({
        serialize: fn<(value: unknown) => Uint8Array | string>('element => Uint8Array | string'),
      }),
    ],
    {
      error: 'must be "json", "string" or { serialize(element) }',
    },
  ),
  key: fn<(value: unknown) => unknown>('element => string | Uint8Array | null').optional(),
  guarantee: z.enum(['exactly-once', 'at-least-once', 'none']).optional(),
  transactionTimeout: durationMs.optional(),
});

type KafkaSinkConfig = z.output<typeof kafkaSinkConfig>;

export interface KafkaSinkOptions<T> {
  readonly topic: string;
  /** `host:port[,host:port]`; defaults to the job's cluster (`eddy run --bootstrap`). */
  readonly bootstrap?: string;
  readonly format: KafkaSinkFormat<T>;
  /** The record key (decides the partition, as the Java client would); no key: round-robin. */
  readonly key?: (value: T) => string | Uint8Array | null;
  /**
   * 'at-least-once' (default): write() resolves when all replicas have the records. 'none': acks=0.
   * 'exactly-once': records and the sources' offsets commit in one Kafka transaction per checkpoint
   * (needs checkpointing; read the topic with isolation read_committed).
   */
  readonly guarantee?: 'exactly-once' | 'at-least-once' | 'none';
  /**
   * exactly-once: ms the broker lets a transaction stay open; must exceed checkpoint interval + timeout.
   * Default: 60 s, or interval + timeout + 60 s when 60 s is not more (at most 15 minutes).
   */
  readonly transactionTimeout?: number;
}

/** What an exactly-once writer's prepareCommit returns (kept in the checkpoint). */
export interface KafkaPrepared {
  readonly transactionalId: string;
  readonly checkpointId: number;
}

const LABEL = 'kafka sink';
/** Records per produce request are capped by bytes, well under Kafka's default 1 MiB message.max.bytes. */
const REQUEST_BYTES = 512 * 1024;
/** Unacknowledged ('none') requests allowed before write() waits for the oldest. */
const MAX_IN_FLIGHT = 16;

/** The running Kafka sink subtask; see kafkaSink(). */
export class KafkaSinkWriter implements SinkWriter<unknown> {
  private readonly config: KafkaSinkConfig;
  private producer: Producer | undefined;
  private operatorName = LABEL;
  private bootstrap = '';
  private inFlight: Promise<void>[] = [];
  private failure: unknown;
  /** exactly-once: the shared transaction, and the last checkpoint whose barrier this writer passed. */
  private txn: SharedTransaction | undefined;
  private segment = Number.NEGATIVE_INFINITY;

  constructor(config: KafkaSinkConfig) {
    this.config = config;
  }

  async open(ctx: SinkContext): Promise<void> {
    const bootstrap = this.config.bootstrap ?? ctx.bootstrap;
    if (bootstrap === undefined) throw missingBootstrap(LABEL);
    this.bootstrap = bootstrap;
    this.operatorName = ctx.operatorName;
    if (this.config.guarantee === 'exactly-once') return this.openTransaction(ctx, bootstrap);
    const producer = new Producer({
      ...baseClientOptions({ bootstrap, clientId: `eddy-sink-${ctx.subtaskIndex}` }, 'sink'),
      partitioner: javaCompatiblePartitioner(),
    });
    this.producer = producer;
    try {
      // Fails fast when nothing answers, instead of at the first record.
      await producer.metadata({ topics: [] });
    } catch (error) {
      await this.close().catch(() => undefined);
      throw kafkaFailure(LABEL, bootstrap, 'connect', error, 'CON_KAFKA_WRITE_FAILED');
    }
  }

  async write(batch: Batch<unknown>): Promise<void> {
    this.throwFailure();
    let messages: MessageToProduce[] = [];
    let bytes = 0;
    for (let i = 0; i < batch.values.length; i++) {
      const message = this.message(batch.values[i], batch.timestamps[i]);
      const size = message.value!.length + (message.key?.length ?? 0);
      if (messages.length > 0 && bytes + size > REQUEST_BYTES) {
        await this.send(messages, bytes);
        messages = [];
        bytes = 0;
      }
      messages.push(message);
      bytes += size;
    }
    if (messages.length > 0) await this.send(messages, bytes);
  }

  /** End of input. exactly-once: once every writer sharing the transaction has ended, it commits. */
  async flush(): Promise<void> {
    if (this.txn !== undefined) return this.txn.endOfInput(this);
    await Promise.all(this.inFlight);
    this.throwFailure();
  }

  /**
   * Checkpoint barrier. exactly-once: what was written so far is in the open transaction (later records
   * wait until checkpoint `checkpointId` commits). Otherwise: everything written is acknowledged.
   */
  async prepareCommit(checkpointId: number): Promise<KafkaPrepared | undefined> {
    const txn = this.txn;
    if (txn === undefined) {
      await this.flush();
      return undefined;
    }
    this.segment = checkpointId;
    await txn.flush();
    return { transactionalId: txn.transactionalId, checkpointId };
  }

  /**
   * exactly-once: commits the transaction with the Kafka sources' positions at the barrier (to their
   * groups, with metadata `eddy-checkpoint:<id>`). The first writer to commit does it; the others wait
   * for the same commit.
   */
  async commit(checkpointId: number, positions: readonly SourcePositions[]): Promise<void> {
    await this.txn?.commit(checkpointId, offsetsByGroup(positions, this.bootstrap, checkpointId));
  }

  /**
   * Nothing to redo: open() aborts whatever a previous run left open, and the engine restores the
   * checkpoint whose transaction committed (see committedCheckpoint).
   */
  recover(_prepared: readonly unknown[], _checkpointId: number): void {}

  async close(): Promise<void> {
    const txn = this.txn;
    this.txn = undefined;
    if (txn !== undefined) return txn.leave(this);
    const producer = this.producer;
    this.producer = undefined;
    await Promise.allSettled(this.inFlight);
    await producer?.close();
  }

  private async openTransaction(ctx: SinkContext, bootstrap: string): Promise<void> {
    const label = `kafka sink "${this.config.topic}"`;
    const timeoutMs = transactionTimeoutFor(label, this.config.transactionTimeout, ctx.checkpointing);
    const txn = sharedTransaction({
      jobId: ctx.jobId,
      bootstrap,
      processIndex: ctx.processIndex ?? 0,
      timeoutMs,
    });
    this.txn = txn;
    try {
      await txn.join(this);
    } catch (error) {
      this.txn = undefined;
      await txn.leave(this);
      throw error;
    }
  }

  private message(value: unknown, timestamp: number): MessageToProduce {
    let key: Buffer | undefined;
    let bytes: Buffer;
    try {
      key = this.config.key === undefined ? undefined : encodeKey(this.config.key(value), value);
      bytes = encodeValue(this.config.format, value);
    } catch (cause) {
      if (cause instanceof StreamError) throw cause;
      throw userFunctionFailed(this.operatorName, value, cause);
    }
    // The element's event time becomes the record timestamp, as Flink's Kafka sink does.
    const ts = Number.isFinite(timestamp) ? BigInt(Math.trunc(timestamp)) : undefined;
    return { topic: this.config.topic, key, value: bytes, ...(ts === undefined ? {} : { timestamp: ts }) };
  }

  private async send(messages: MessageToProduce[], bytes: number): Promise<void> {
    if (this.txn !== undefined) return this.txn.send(this.segment, messages, bytes);
    const producer = this.producer;
    if (producer === undefined) throw new Error('KafkaSinkWriter.write() before open()');
    const acks = this.config.guarantee === 'none' ? 0 : -1;
    const sent = producer.send({ messages, acks, autocreateTopics: true }).then(
      () => undefined,
      (error: unknown) => {
        throw kafkaFailure(
          LABEL,
          this.bootstrap,
          `write to topic "${this.config.topic}"`,
          error,
          'CON_KAFKA_WRITE_FAILED',
        );
      },
    );
    if (acks === -1) return sent;
    const tracked = sent.catch((error: unknown) => {
      this.failure ??= error;
    });
    this.inFlight.push(tracked);
    void tracked.finally(() => {
      this.inFlight = this.inFlight.filter((p) => p !== tracked);
    });
    if (this.inFlight.length > MAX_IN_FLIGHT) await this.inFlight[0];
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

export const kafkaSinkSide = sinkSide(kafkaSinkConfig, (config) => new KafkaSinkWriter(config));

/**
 * Writes elements as records to a Kafka topic. The topic must exist unless the cluster creates topics on
 * first use (eddy's broker does; a Kafka cluster may not).
 *
 * With `guarantee: 'exactly-once'` (and checkpointing) records and the sources' offsets commit in one
 * transaction per checkpoint; see docs/internals/exactly-once.md.
 *
 * @example
 * totals.sinkTo(kafkaSink<Total>({ topic: 'totals', format: 'json', key: (t) => t.user }));
 * totals.sinkTo(kafkaSink<Total>({ topic: 'totals', format: 'json', guarantee: 'exactly-once' }));
 */
export function kafkaSink<T>(options: KafkaSinkOptions<T>): SinkDescriptor<T> {
  const config = { ...options };
  parseConfig('kafka sink', kafkaSinkConfig, config);
  return { connector: 'kafka', config };
}
