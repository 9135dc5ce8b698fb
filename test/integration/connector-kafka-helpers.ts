// Producing test records with exact partitions, keys and timestamps (shared by the Kafka connector tests).
import { Producer } from '@platformatic/kafka';
import { createTopic, withAdmin } from '../../src/kafka/admin.ts';
import { baseClientOptions } from '../../src/kafka/client-options.ts';

export interface TestRecord {
  partition?: number;
  key?: string;
  value: string | null;
  timestamp?: number;
  headers?: Record<string, string>;
}

export async function makeTopic(bootstrap: string, name: string, partitions: number): Promise<void> {
  await withAdmin({ bootstrap }, (admin) => createTopic(admin, name, partitions, {}));
}

export async function produce(bootstrap: string, topic: string, records: TestRecord[]): Promise<void> {
  const producer = new Producer(baseClientOptions({ bootstrap }, 'test-producer'));
  try {
    await producer.send({
      acks: -1,
      messages: records.map((r) => ({
        topic,
        partition: r.partition ?? 0,
        key: r.key === undefined ? undefined : Buffer.from(r.key),
        // A null value is a tombstone; the client encodes a missing value as null.
        value: r.value === null ? undefined : Buffer.from(r.value),
        timestamp: r.timestamp === undefined ? undefined : BigInt(r.timestamp),
        headers:
          r.headers === undefined
            ? undefined
            : new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
      })),
    });
  } finally {
    await producer.close();
  }
}
