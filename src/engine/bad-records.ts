import { Buffer } from 'node:buffer';
import { StreamError } from '../common/errors.ts';
import type { BadRecordPolicy, DeadLetter, SinkDescriptor } from '../plan/connectors.ts';
import type { BadRecordCounts } from './metrics.ts';
import { SerialWriter } from './serial-writer.ts';
import type { SinkContext, SinkWriter, SourcePositions } from './sink.ts';
import type { RawBadRecord } from './source.ts';

export interface BadRecordRouterOptions {
  readonly policy: BadRecordPolicy;
  /** The source or operator that met the records; named in errors and dead letters. */
  readonly operatorName: string;
  readonly counts: BadRecordCounts;
  /** Needed for the 'dead-letter' policy. */
  readonly createSink?: (descriptor: SinkDescriptor<unknown>) => SinkWriter<unknown>;
  readonly sinkContext?: SinkContext;
}

/**
 * Applies a bad-record policy: 'fail' throws ENG_BAD_RECORD, 'skip' counts, 'dead-letter' collects
 * DeadLetters and writes them to the policy's sink as one batch per `flush()`.
 *
 * @example
 * const router = new BadRecordRouter({ policy: { kind: 'skip' }, operatorName: 'clicks', counts });
 * router.reject({ error: 'not JSON', value, key: null, origin: { offset: 7 }, timestamp: Number.NaN });
 */
export class BadRecordRouter {
  private readonly options: BadRecordRouterOptions;
  private writer: SinkWriter<unknown> | undefined = undefined;
  private serial: SerialWriter | undefined = undefined;
  private pending: DeadLetter[] = [];

  constructor(options: BadRecordRouterOptions) {
    this.options = options;
  }

  async open(): Promise<void> {
    const { policy, createSink, sinkContext } = this.options;
    if (policy.kind !== 'dead-letter') return;
    if (createSink === undefined || sinkContext === undefined)
      throw new StreamError(
        'ENG_INVALID_JOB',
        `operator "${this.options.operatorName}" sends bad records to a dead-letter sink, but this runtime has no connectors to create it`,
      );
    // The descriptor's type parameter only guides the API's type checker; the sink takes DeadLetters.
    this.writer = createSink(policy.sink as SinkDescriptor<unknown>);
    this.serial = new SerialWriter(this.writer);
    await this.writer.open(sinkContext);
  }

  reject(record: RawBadRecord): void {
    const { policy, counts, operatorName } = this.options;
    counts.badRecords++;
    if (policy.kind === 'skip') {
      counts.skipped++;
    } else if (policy.kind === 'dead-letter') {
      counts.deadLettered++;
      this.pending.push({
        error: record.error,
        source: operatorName,
        value: record.value === null ? null : base64(record.value),
        key: record.key === null ? null : base64(record.key),
        origin: record.origin,
        timestamp: record.timestamp,
      });
    } else {
      throw new StreamError(
        'ENG_BAD_RECORD',
        `"${operatorName}" got a record it cannot use: ${record.error} (at ${JSON.stringify(record.origin)}). ` +
          `Fix the input, or set the bad-record policy to 'skip' or 'dead-letter' to keep the job running.`,
        { details: { operator: operatorName, origin: record.origin, error: record.error } },
      );
    }
  }

  /** An element that decoded but cannot be used; its JSON text stands in for the original bytes. */
  rejectElement(value: unknown, timestamp: number, error: string, origin: Record<string, unknown>): void {
    this.reject({ error, value: Buffer.from(jsonText(value), 'utf8'), key: null, origin, timestamp });
  }

  /** Writes the dead letters collected since the last flush; a promise when the sink is asynchronous. */
  flush(): Promise<void> | undefined {
    if (this.pending.length === 0 || this.serial === undefined) return undefined;
    const letters = this.pending;
    this.pending = [];
    return this.serial.write({ values: letters, timestamps: letters.map((l) => l.timestamp) });
  }

  /**
   * At a checkpoint barrier: dead letters so far belong to this checkpoint, so an exactly-once sink
   * (a Kafka topic in the job's transaction) commits them with it and a restore never writes them twice.
   */
  async prepareCommit(checkpointId: number): Promise<void> {
    const writer = this.writer;
    if (writer?.prepareCommit === undefined || this.serial === undefined) return;
    await this.flush();
    await this.serial.exclusive(() => writer.prepareCommit!(checkpointId));
  }

  /** The checkpoint is durable: the dead-letter sink makes its part visible. */
  async commit(checkpointId: number, positions: readonly SourcePositions[]): Promise<void> {
    const writer = this.writer;
    if (writer?.commit === undefined || this.serial === undefined) return;
    await this.serial.exclusive(() => writer.commit!(checkpointId, positions));
  }

  async close(): Promise<void> {
    const writer = this.writer;
    if (writer === undefined) return;
    this.writer = undefined;
    try {
      await this.flush();
      await this.serial?.drain();
      await writer.flush();
    } finally {
      await writer.close();
    }
  }

  /** Closes without writing what is still pending (the job is stopping). */
  async abort(): Promise<void> {
    this.pending = [];
    const writer = this.writer;
    this.writer = undefined;
    await writer?.close();
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
