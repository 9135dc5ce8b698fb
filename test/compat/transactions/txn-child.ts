// A Node transactional producer (kafkajs or @platformatic/kafka) in its own process, so tests can kill it
// with kill -9 in the middle of a transaction. Arguments: client, bootstrap, topic, transactional id,
// value prefix, count, transaction timeout (ms). It opens a transaction, sends the values to partition 0,
// prints {"event":"open"} and waits; on a line "go" on stdin it tries to send once more and commit, and
// prints {"event":"committed"} or {"event":"error","message":...}.
import { createInterface } from 'node:readline';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';

const [client, bootstrap, topic, transactionalId, prefix, countArg, timeoutArg] = process.argv.slice(2);
const count = Number(countArg);
const timeoutMs = Number(timeoutArg);
const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

function emit(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

/** Send, then (later) one more send and a commit, for either client. */
interface OpenTransaction {
  more(value: string): Promise<void>;
  commit(): Promise<void>;
}

async function openKafkajs(): Promise<OpenTransaction> {
  const kafka = new Kafka({ clientId: transactionalId, brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: timeoutMs,
  });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic, messages: values.map((value) => ({ value, partition: 0 })) });
  return {
    more: async (value) => {
      await txn.send({ topic, messages: [{ value, partition: 0 }] });
    },
    commit: () => txn.commit(),
  };
}

async function openPlatformatic(): Promise<OpenTransaction> {
  const producer = new Producer({
    clientId: transactionalId,
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
    idempotent: true,
    transactionalId,
    // platformatic sends its request timeout as the transaction timeout of InitProducerId.
    timeout: timeoutMs,
    // Without these it sends producer id 0 / epoch 0 in InitProducerId v3+, which Kafka (and eddy) fence
    // for any transactional id whose producer id is not 0.
    producerId: -1n,
    producerEpoch: -1,
    retries: 0,
  });
  const txn = await producer.beginTransaction();
  await txn.send({ messages: values.map((value) => ({ topic, value, partition: 0 })) });
  return {
    more: async (value) => {
      await txn.send({ messages: [{ topic, value, partition: 0 }] });
    },
    commit: () => txn.commit(),
  };
}

const txn = client === 'kafkajs' ? await openKafkajs() : await openPlatformatic();
emit({ event: 'open' });
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'go') continue;
  try {
    await txn.more(`${prefix}-late`);
    await txn.commit();
    emit({ event: 'committed' });
  } catch (error) {
    const e = error as Error & { errors?: Error[] };
    emit({ event: 'error', message: [e.message, ...(e.errors ?? []).map((x) => x.message)].join(' | ') });
  }
  process.exit(0);
}
