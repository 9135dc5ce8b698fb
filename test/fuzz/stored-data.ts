// Checks of what the broker stored while being fuzzed: a canary topic whose every record is known, and a
// scan of every other topic for batches that fail their CRC or leave gaps.

import assert from 'node:assert/strict';
import type { FrameHandler } from '../../src/broker/server/connection.ts';
import {
  decodeResponseFrame,
  encodeRequestFrame,
  FETCH_SCHEMA,
  type MessageSchema,
  PRODUCE_SCHEMA,
} from '../../src/protocol/index.ts';
import { CREATE_TOPICS_SCHEMA } from '../../src/protocol/messages/index.ts';
import {
  BatchCursor,
  decodeRecordBatches,
  encodeRecordBatch,
  readBatchHeader,
  verifyBatchCrc,
} from '../../src/protocol/record-batch/index.ts';
import { fetchBody } from '../integration/data-path-helpers.ts';
import type { KafkaSocket } from '../support/kafka-socket.ts';

/** Sends one request and resolves with the decoded response body. */
export type Ask = (schema: MessageSchema, version: number, body: unknown) => Promise<Record<string, unknown>>;

/** Asks through a dispatcher directly, each request as a fresh connection. */
export function dispatcherAsk(dispatch: FrameHandler): Ask {
  let correlationId = 0;
  return async (schema, version, body) => {
    const id = ++correlationId;
    const header = { apiVersion: version, correlationId: id, clientId: 'canary' };
    const frame = encodeRequestFrame(schema, header, body);
    const handled = await dispatch(frame.subarray(4), {
      id: -id,
      remote: '127.0.0.1:1',
      closeAfterResponse: false,
      responsesWritten: async () => true,
    });
    const result = await handled.response;
    assert.ok(result !== null, `${schema.name} got no answer`);
    return decodeResponseFrame<Record<string, unknown>>(schema, version, result.subarray(4)).body;
  };
}

/** Asks over a real connection. */
export function socketAsk(socket: KafkaSocket): Ask {
  return (schema, version, body) => socket.request(schema, version, body);
}

/** Creates a one-partition topic with CreateTopics v7; fails on an error. */
export async function createTopic(
  ask: Ask,
  name: string,
  configs: Record<string, string> = {},
): Promise<void> {
  const entries = Object.entries(configs).map(([key, value]) => ({ name: key, value }));
  const topic = { name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: entries };
  const answer = await ask(CREATE_TOPICS_SCHEMA, 7, {
    topics: [topic],
    timeoutMs: 5000,
    validateOnly: false,
  });
  const [result] = answer.topics as { errorCode: number; errorMessage: string | null }[];
  assert.equal(result.errorCode, 0, `create ${name}: ${result.errorMessage}`);
}

interface FetchAnswer {
  responses: { partitions: { errorCode: number; highWatermark: number; records: Buffer | null }[] }[];
}

/** Fetch v12 of one partition from `offset`: the high watermark and the raw records. */
async function fetchRecords(ask: Ask, topic: string, partition: number, offset: number) {
  const body = fetchBody([{ topic, partition, offset, maxBytes: 1 << 20 }], { maxBytes: 1 << 20 });
  const answer = (await ask(FETCH_SCHEMA, 12, body)) as unknown as FetchAnswer;
  const { errorCode, highWatermark, records } = answer.responses[0].partitions[0];
  assert.equal(errorCode, 0, `fetch ${topic}-${partition} at ${offset}`);
  return { highWatermark, records: records ?? Buffer.alloc(0) };
}

/**
 * A topic only the test writes to, with the value of every record it should hold, in offset order.
 *
 * @example const canary = new Canary('eddy-canary'); await canary.create(ask); await canary.produce(ask, 3);
 */
export class Canary {
  readonly topic: string;
  readonly values: string[] = [];

  constructor(topic: string) {
    this.topic = topic;
  }

  async create(ask: Ask): Promise<void> {
    const topic = { name: this.topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] };
    const answer = await ask(CREATE_TOPICS_SCHEMA, 7, {
      topics: [topic],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal((answer.topics as { errorCode: number }[])[0].errorCode, 0);
  }

  /** Produces `count` records (acks=all) and checks they land right after the previous ones. */
  async produce(ask: Ask, count: number): Promise<void> {
    const values = Array.from({ length: count }, (_, i) => `canary-${this.values.length + i}`);
    const batch = encodeRecordBatch(values.map((v) => ({ key: Buffer.from(v), value: Buffer.from(v) })));
    const partitionData = [{ index: 0, records: batch }];
    const body = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: this.topic, partitionData }],
    };
    const answer = (await ask(PRODUCE_SCHEMA, 7, body)) as {
      responses: { partitionResponses: { errorCode: number; baseOffset: number }[] }[];
    };
    const { errorCode, baseOffset } = answer.responses[0].partitionResponses[0];
    assert.deepEqual({ errorCode, baseOffset }, { errorCode: 0, baseOffset: this.values.length });
    this.values.push(...values);
  }

  /** Reads the whole partition: every record there, CRC-valid, at contiguous offsets, as produced. */
  async verify(ask: Ask): Promise<void> {
    const seen: { offset: number; key: string; value: string }[] = [];
    while (seen.length < this.values.length) {
      const { highWatermark, records } = await fetchRecords(ask, this.topic, 0, seen.length);
      assert.equal(highWatermark, this.values.length);
      // decodeRecordBatches checks each batch's CRC and decodes every record: it throws on damage.
      const fresh = decodeRecordBatches(records)
        .flatMap((b) => b.records)
        .filter((r) => r.offset >= seen.length);
      assert.ok(fresh.length > 0, `no canary records from offset ${seen.length}`);
      for (const r of fresh) seen.push({ offset: r.offset, key: String(r.key), value: String(r.value) });
    }
    assert.deepEqual(
      seen,
      this.values.map((value, offset) => ({ offset, key: value, value })),
    );
  }
}

/**
 * Reads every partition of every topic to its high watermark: each batch must pass its CRC and start
 * where the previous one ended. Records are not decoded: the broker stores batches as sent (see
 * DESIGN.md §3), so a client's CRC-valid garbage is its own. Returns the number of batches read.
 */
export async function verifyEveryTopic(
  ask: Ask,
  topics: readonly { name: string; partitions: number }[],
): Promise<number> {
  let checked = 0;
  for (const { name, partitions } of topics) {
    for (let partition = 0; partition < partitions; partition++) {
      const where = `${name}-${partition}`;
      let next = 0;
      for (;;) {
        const { highWatermark, records } = await fetchRecords(ask, name, partition, next);
        if (next >= highWatermark) break;
        const cursor = new BatchCursor(records);
        const before = next;
        while (cursor.next()) {
          assert.ok(verifyBatchCrc(records, cursor.offset), `${where}: batch at ${next} fails its CRC`);
          const header = readBatchHeader(records, cursor.offset);
          assert.equal(header.baseOffset, next, `${where}: batch offsets are not contiguous`);
          next = header.baseOffset + header.lastOffsetDelta + 1;
          checked++;
        }
        assert.notEqual(cursor.stop, 'corrupt', `${where}: ${cursor.reason}`);
        assert.ok(next > before, `${where}: nothing readable at ${next} (high watermark ${highWatermark})`);
      }
    }
  }
  return checked;
}
