import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { baseClientOptions, type KafkaClientOptions } from './client-options.ts';

export interface ProduceLinesOptions extends KafkaClientOptions {
  topic: string;
  /** When set, each line is split at its first occurrence into key and value. */
  keySeparator?: string;
  /** Records sent per request. */
  batchSize?: number;
}

/**
 * Sends one record per line (acks=all) and resolves with the number sent.
 *
 * @example
 * await produceLines(createInterface({ input: process.stdin }), { bootstrap, topic: 'clicks' });
 */
export async function produceLines(
  lines: AsyncIterable<string>,
  options: ProduceLinesOptions,
): Promise<number> {
  const producer = new Producer({
    ...baseClientOptions(options, 'producer'),
    serializers: stringSerializers,
  });
  const batchSize = options.batchSize ?? 500;
  let pending: { topic: string; key?: string; value: string }[] = [];
  let sent = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await producer.send({ messages: pending, acks: -1, autocreateTopics: true });
    sent += pending.length;
    pending = [];
  };
  try {
    for await (const line of lines) {
      pending.push(toRecord(options.topic, line, options.keySeparator));
      if (pending.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    await producer.close();
  }
  return sent;
}

function toRecord(topic: string, line: string, keySeparator: string | undefined) {
  if (keySeparator === undefined || keySeparator === '') return { topic, value: line };
  const at = line.indexOf(keySeparator);
  if (at < 0) return { topic, value: line };
  return { topic, key: line.slice(0, at), value: line.slice(at + keySeparator.length) };
}

export interface ConsumeValuesOptions extends KafkaClientOptions {
  topic: string;
  /** Consumer group; without one, a throwaway group that commits nothing is used. */
  group?: string;
  fromBeginning?: boolean;
  maxMessages?: number;
  /** Stop when no record arrives for this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Reads record values as strings until `maxMessages`, `timeoutMs` of silence, or the signal; resolves
 * with the number read.
 */
export async function consumeValues(
  options: ConsumeValuesOptions,
  onValue: (value: string | null) => void,
): Promise<number> {
  const group = options.group;
  const consumer = new Consumer({
    ...baseClientOptions(options, 'consumer'),
    groupId: group ?? `eddy-console-${process.pid}-${Date.now()}`,
    deserializers: stringDeserializers,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTime: 500,
  });
  let count = 0;
  try {
    const stream = await consumer.consume({
      topics: [options.topic],
      autocommit: false,
      mode: group ? 'committed' : options.fromBeginning ? 'earliest' : 'latest',
      fallbackMode: options.fromBeginning ? 'earliest' : 'latest',
    });
    const records = stream[Symbol.asyncIterator]();
    const limit = options.maxMessages ?? Number.POSITIVE_INFINITY;
    while (count < limit) {
      const next = await nextOrStop(records.next(), options.timeoutMs, options.signal);
      if (next === STOPPED || next.done) break;
      onValue(next.value.value ?? null);
      count++;
      // Commit each record as it is printed, so a group resumes exactly after what was shown.
      if (group !== undefined) await next.value.commit();
    }
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return count;
}

const STOPPED = Symbol('stopped');

/** The next record, or STOPPED when `timeoutMs` passes first or the signal fires. */
function nextOrStop<T>(next: Promise<T>, timeoutMs: number | undefined, signal: AbortSignal | undefined) {
  if (signal?.aborted) return Promise.resolve(STOPPED);
  return new Promise<T | typeof STOPPED>((resolve, reject) => {
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(STOPPED), timeoutMs);
    const onAbort = () => done(STOPPED);
    signal?.addEventListener('abort', onAbort);
    function done(value: T | typeof STOPPED) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    }
    next.then(done, (error: unknown) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}
