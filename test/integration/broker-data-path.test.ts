// Produce, Fetch and ListOffsets over a real socket: offsets, limits, error codes and version edges.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LIST_OFFSETS_SCHEMA, METADATA_SCHEMA } from '../../src/protocol/messages/index.ts';
import {
  decodeRecordBatches,
  encodeRecordBatch,
  readBatchHeader,
  TIMESTAMP_TYPE_MASK,
} from '../../src/protocol/record-batch/index.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import {
  createTopic,
  fetch,
  fetchBody,
  fetchedValues,
  produce,
  produceRaw,
  records,
} from './data-path-helpers.ts';

let broker: TestBroker;
let socket: KafkaSocket;

before(async () => {
  broker = await startTestBroker({ autoCreateTopics: false });
  socket = await KafkaSocket.open('127.0.0.1', broker.port);
});
after(async () => {
  socket.close();
  await broker.stop();
});

interface Listed {
  topics: {
    partitions: {
      partitionIndex: number;
      errorCode: number;
      timestamp: number;
      offset: number;
      leaderEpoch: number;
    }[];
  }[];
}

function listOffsets(
  topic: string,
  partition: number,
  timestamp: number,
  version = 5,
  isolationLevel = 0,
): Promise<Listed> {
  return socket.request<Listed>(LIST_OFFSETS_SCHEMA, version, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp }] }],
  });
}

test('produce assigns consecutive offsets and fetch returns the records (v3 and v7, v4 and v12)', async () => {
  await createTopic(socket, 'basic', 2);
  const first = await produce(socket, 'basic', 0, records('a', 'b', 'c'), { version: 3 });
  assert.deepEqual([first.errorCode, first.baseOffset, first.logAppendTimeMs], [0, 0, -1]);
  const second = await produce(socket, 'basic', 0, records('d'), { version: 7 });
  assert.deepEqual([second.errorCode, second.baseOffset, second.logStartOffset], [0, 3, 0]);
  for (const version of [4, 12]) {
    const answer = await fetch(socket, fetchBody([{ topic: 'basic', partition: 0, offset: 0 }]), version);
    const [p] = answer.responses[0].partitions;
    assert.equal(p.errorCode, 0);
    assert.equal(p.highWatermark, 4);
    assert.equal(p.lastStableOffset, 4);
    assert.deepEqual(fetchedValues(p), [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
    ]);
  }
  const empty = await fetch(socket, fetchBody([{ topic: 'basic', partition: 1, offset: 0 }]));
  assert.equal(empty.responses[0].partitions[0].records?.length ?? 0, 0);
  assert.equal(empty.sessionId, 0);
});

test('a fetch offset inside a batch returns the whole batch', async () => {
  await createTopic(socket, 'inside');
  await produce(socket, 'inside', 0, records('x0', 'x1', 'x2', 'x3', 'x4'));
  const answer = await fetch(socket, fetchBody([{ topic: 'inside', partition: 0, offset: 3 }]));
  const [p] = answer.responses[0].partitions;
  const batches = decodeRecordBatches(p.records as Buffer);
  assert.equal(batches.length, 1);
  assert.equal(batches[0].baseOffset, 0);
  assert.equal(batches[0].records.length, 5);
});

test('KIP-74: the first batch comes back even over the limits; later partitions respect them', async () => {
  await createTopic(socket, 'big', 2);
  const large = 'L'.repeat(5000);
  await produce(socket, 'big', 0, records(large));
  await produce(socket, 'big', 0, records(large));
  await produce(socket, 'big', 1, records(large));
  const tiny = await fetch(
    socket,
    fetchBody(
      [
        { topic: 'big', partition: 0, offset: 0, maxBytes: 100 },
        { topic: 'big', partition: 1, offset: 0, maxBytes: 100 },
      ],
      { maxBytes: 100 },
    ),
  );
  const [p0, p1] = tiny.responses[0].partitions;
  assert.deepEqual(fetchedValues(p0), [[0, large]], 'exactly the first batch of the first partition');
  assert.equal(p1.records?.length ?? 0, 0, 'the total budget is spent');
  assert.equal(p1.highWatermark, 1, 'bounds are still reported');
  const roomy = await fetch(
    socket,
    fetchBody([{ topic: 'big', partition: 0, offset: 0, maxBytes: 1 << 20 }]),
  );
  assert.equal(fetchedValues(roomy.responses[0].partitions[0]).length, 2);
});

test('fetch errors: unknown topic or partition, offset out of range', async () => {
  await createTopic(socket, 'errs');
  await produce(socket, 'errs', 0, records('only'));
  const answer = await fetch(
    socket,
    fetchBody([
      { topic: 'nope', partition: 0, offset: 0 },
      { topic: 'errs', partition: 7, offset: 0 },
      { topic: 'errs', partition: 0, offset: 5 },
      { topic: 'errs', partition: 0, offset: 1 },
    ]),
  );
  const codes = answer.responses.flatMap((t) => t.partitions.map((p) => p.errorCode));
  assert.deepEqual(codes, [3, 3, 1, 0]);
});

test('read_committed fetch gets an empty aborted list, read_uncommitted null; preferred replica -1', async () => {
  await createTopic(socket, 'iso');
  await produce(socket, 'iso', 0, records('v'));
  const committed = await fetch(
    socket,
    fetchBody([{ topic: 'iso', partition: 0, offset: 0 }], { isolationLevel: 1 }),
    11,
  );
  assert.deepEqual(committed.responses[0].partitions[0].abortedTransactions, []);
  assert.equal(committed.responses[0].partitions[0].preferredReadReplica, -1);
  const uncommitted = await fetch(socket, fetchBody([{ topic: 'iso', partition: 0, offset: 0 }]), 11);
  assert.equal(uncommitted.responses[0].partitions[0].abortedTransactions, null);
});

test('produce refusals carry Kafka codes', async () => {
  await createTopic(socket, 'checks', 1, { 'max.message.bytes': '2000' });
  assert.equal((await produce(socket, 'missing', 0, records('v'))).errorCode, 3);
  assert.equal((await produce(socket, 'checks', 4, records('v'))).errorCode, 3);
  assert.equal((await produce(socket, 'checks', 0, records('z'.repeat(3000)))).errorCode, 10);
  const corrupt = encodeRecordBatch(records('v'));
  corrupt[corrupt.length - 1] ^= 1;
  assert.equal((await produceRaw(socket, 'checks', 0, corrupt)).errorCode, 2);
  const magic1 = encodeRecordBatch(records('v'));
  magic1[16] = 1;
  assert.equal((await produceRaw(socket, 'checks', 0, magic1)).errorCode, 87);
  const two = Buffer.concat([encodeRecordBatch(records('a')), encodeRecordBatch(records('b'))]);
  assert.equal((await produceRaw(socket, 'checks', 0, two)).errorCode, 87);
  assert.equal((await produceRaw(socket, 'checks', 0, null)).errorCode, 87);
  const control = encodeRecordBatch(records('v'), { control: true });
  assert.equal((await produceRaw(socket, 'checks', 0, control)).errorCode, 87);
  const zstd = encodeRecordBatch(records('v'), { compression: 4 });
  assert.equal((await produceRaw(socket, 'checks', 0, zstd, { version: 6 })).errorCode, 76);
  assert.equal((await produceRaw(socket, 'checks', 0, zstd, { version: 7 })).errorCode, 0);
  const future = [{ key: null, value: Buffer.from('v'), timestamp: Date.now() + 2 * 3_600_000 }];
  assert.equal((await produce(socket, 'checks', 0, future)).errorCode, 32);
  assert.equal((await produce(socket, 'checks', 0, records('v'), { acks: 2 })).errorCode, 21);
  const txn = encodeRecordBatch(records('v'), {
    transactional: true,
    producerId: 5,
    producerEpoch: 0,
    baseSequence: 0,
  });
  assert.equal((await produceRaw(socket, 'checks', 0, txn)).errorCode, 48);
  const idempotent = encodeRecordBatch(records('v'), { producerId: 5, producerEpoch: 0, baseSequence: 0 });
  assert.equal((await produceRaw(socket, 'checks', 0, idempotent)).errorCode, 0);
});

test('timestamp limits, compacted topics and min.insync.replicas follow the topic configs', async () => {
  await createTopic(socket, 'strict', 1, {
    'message.timestamp.difference.max.ms': '60000',
    'cleanup.policy': 'compact',
    'min.insync.replicas': '2',
  });
  const old = [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: Date.now() - 120_000 }];
  assert.equal((await produce(socket, 'strict', 0, old, { acks: 1 })).errorCode, 32);
  assert.equal(
    (await produce(socket, 'strict', 0, [{ key: null, value: Buffer.from('v') }], { acks: 1 })).errorCode,
    87,
  );
  assert.equal((await produce(socket, 'strict', 0, records('v'), { acks: -1 })).errorCode, 19);
  assert.equal((await produce(socket, 'strict', 0, records('v'), { acks: 1 })).errorCode, 0);
});

test('LogAppendTime topics stamp the broker time; compression.type recompresses', async () => {
  await createTopic(socket, 'stamped', 1, {
    'message.timestamp.type': 'LogAppendTime',
    'compression.type': 'gzip',
  });
  const before = Date.now();
  const answer = await produce(socket, 'stamped', 0, [
    { key: null, value: Buffer.from('v'.repeat(200)), timestamp: 1000 },
  ]);
  assert.equal(answer.errorCode, 0);
  assert.ok(answer.logAppendTimeMs >= before && answer.logAppendTimeMs <= Date.now());
  const fetched = await fetch(socket, fetchBody([{ topic: 'stamped', partition: 0, offset: 0 }]));
  const bytes = fetched.responses[0].partitions[0].records as Buffer;
  const header = readBatchHeader(bytes, 0);
  assert.ok(header.attributes & TIMESTAMP_TYPE_MASK);
  assert.equal(header.maxTimestamp, answer.logAppendTimeMs);
  const [batch] = decodeRecordBatches(bytes);
  assert.equal(batch.compression, 1);
  assert.equal(batch.records[0].timestamp, answer.logAppendTimeMs);
  assert.equal(batch.records[0].value?.toString(), 'v'.repeat(200));
});

test('ListOffsets: earliest, latest, by timestamp, unknown partition, duplicates (v1 and v5)', async () => {
  await createTopic(socket, 'times');
  const t0 = Date.now() - 10_000;
  await produce(socket, 'times', 0, [
    { value: Buffer.from('a'), timestamp: t0 },
    { value: Buffer.from('b'), timestamp: t0 + 100 },
  ]);
  await produce(socket, 'times', 0, [{ value: Buffer.from('c'), timestamp: t0 + 200 }]);
  for (const version of [1, 5]) {
    const at = async (ts: number) => (await listOffsets('times', 0, ts, version)).topics[0].partitions[0];
    assert.equal((await at(-2)).offset, 0);
    assert.equal((await at(-1)).offset, 3);
    assert.deepEqual([(await at(t0 + 50)).offset, (await at(t0 + 50)).timestamp], [1, t0 + 100]);
    assert.deepEqual([(await at(t0 + 150)).offset, (await at(t0 + 150)).timestamp], [2, t0 + 200]);
    assert.deepEqual([(await at(t0 + 5000)).offset, (await at(t0 + 5000)).timestamp], [-1, -1]);
  }
  assert.equal((await listOffsets('times', 0, -1, 5)).topics[0].partitions[0].leaderEpoch, 0);
  assert.equal(
    (await listOffsets('times', 0, -1, 5, 1)).topics[0].partitions[0].offset,
    3,
    'read_committed latest = LSO = HW',
  );
  assert.equal((await listOffsets('times', 3, -1)).topics[0].partitions[0].errorCode, 3);
  const dup = await socket.request<Listed>(LIST_OFFSETS_SCHEMA, 2, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      {
        name: 'times',
        partitions: [
          { partitionIndex: 0, timestamp: -1 },
          { partitionIndex: 0, timestamp: -2 },
        ],
      },
    ],
  });
  assert.deepEqual(
    dup.topics[0].partitions.map((p) => p.errorCode),
    [42, 42],
  );
});

test('a topic deleted and recreated starts from offset 0 with a new id', async () => {
  await createTopic(socket, 'reborn');
  await produce(socket, 'reborn', 0, records('old'));
  const ids = async () =>
    (
      await socket.request<{ topics: { topicId: Buffer }[] }>(METADATA_SCHEMA, 12, {
        topics: [{ topicId: Buffer.alloc(16), name: 'reborn' }],
      })
    ).topics[0].topicId;
  const firstId = await ids();
  await broker.state.topics.deleteTopic('reborn');
  await createTopic(socket, 'reborn');
  assert.notDeepEqual(await ids(), firstId);
  assert.equal((await produce(socket, 'reborn', 0, records('new'))).baseOffset, 0);
});

test('concurrent producers on several connections get distinct, gap-free offsets', async () => {
  await createTopic(socket, 'busy-partition');
  const producers = await Promise.all(
    Array.from({ length: 4 }, () => KafkaSocket.open('127.0.0.1', broker.port)),
  );
  try {
    const answers = await Promise.all(
      producers.flatMap((p, i) =>
        Array.from({ length: 5 }, (_, j) =>
          produce(p, 'busy-partition', 0, records(`p${i}-${j}`, `p${i}-${j}b`)),
        ),
      ),
    );
    assert.ok(answers.every((a) => a.errorCode === 0));
    assert.deepEqual(
      answers.map((a) => a.baseOffset).sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i * 2),
    );
    const fetched = await fetch(socket, fetchBody([{ topic: 'busy-partition', partition: 0, offset: 0 }]));
    const values = fetchedValues(fetched.responses[0].partitions[0]);
    assert.equal(values.length, 40);
    assert.deepEqual(
      values.map(([offset]) => offset),
      Array.from({ length: 40 }, (_, i) => i),
    );
  } finally {
    for (const p of producers) p.close();
  }
});
