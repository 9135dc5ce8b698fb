// kcat (librdkafka) against the broker: produce with keys, headers, null values and every codec; consume
// them back exactly; metadata; offsets by timestamp.
import assert from 'node:assert/strict';
import { after, before, test as nodeTest } from 'node:test';
import { produce } from '../../integration/data-path-helpers.ts';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { KafkaSocket } from '../../support/kafka-socket.ts';
import { assertLongValuesCompressed } from '../support/stored.ts';
import { kcat, kcatMissing, kcatOk } from './kcat.ts';

const skip = kcatMissing();
const test = (name: string, fn: () => Promise<void>) =>
  nodeTest(name, { skip: skip ?? false, timeout: 30_000 }, fn);

let broker: TestBroker;
let bootstrap: string;

before(async () => {
  if (skip !== null) return;
  broker = await startTestBroker({ host: 'localhost' });
  bootstrap = `127.0.0.1:${broker.port}`;
});
after(async () => {
  await broker?.stop();
});

interface KcatMessage {
  topic: string;
  partition: number;
  offset: number;
  tstype: string;
  ts: number;
  headers?: (string | null)[];
  key: string | null;
  payload: string | null;
}

async function consumeAll(topic: string): Promise<KcatMessage[]> {
  const out = await kcatOk(['-C', '-b', bootstrap, '-t', topic, '-J', '-e', '-o', 'beginning', '-q']);
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KcatMessage)
    .sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

const CODECS = [
  ['none', 0],
  ['gzip', 1],
  ['snappy', 2],
  ['lz4', 3],
  ['zstd', 4],
] as const;

for (const [codec, id] of CODECS) {
  test(`kcat -P with ${codec}: keys, headers, null values read back exactly by kcat -C`, async () => {
    const topic = `kcat-${codec}`;
    // Compressible values: librdkafka sends a batch uncompressed when compression would not shrink it.
    const long = `${codec}-`.repeat(300);
    const input = `k1:v1-${long}\nk2:\nk3:v3-${long}\n`;
    await kcatOk(
      [
        '-P',
        '-b',
        bootstrap,
        '-t',
        topic,
        '-p',
        '0',
        '-K:',
        '-Z',
        '-H',
        'h1=a',
        '-H',
        'h2=b',
        '-X',
        `compression.codec=${codec}`,
      ],
      input,
    );
    const messages = await consumeAll(topic);
    assert.deepEqual(
      messages.map((m) => [m.offset, m.key, m.payload, m.headers, m.tstype]),
      [
        [0, 'k1', `v1-${long}`, ['h1', 'a', 'h2', 'b'], 'create'],
        [1, 'k2', null, ['h1', 'a', 'h2', 'b'], 'create'],
        [2, 'k3', `v3-${long}`, ['h1', 'a', 'h2', 'b'], 'create'],
      ],
    );
    // Linger timing may put the null value alone in a batch, which librdkafka leaves uncompressed.
    await assertLongValuesCompressed(broker, topic, id, long.length);
  });
}

test('kcat -L reports this broker, the topic and its partitions', async () => {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await broker.state.topics.createTopic('kcat-meta', { partitions: 3 });
  } finally {
    socket.close();
  }
  const meta = JSON.parse(await kcatOk(['-L', '-b', bootstrap, '-J', '-t', 'kcat-meta'])) as {
    brokers: { id: number; name: string }[];
    topics: {
      topic: string;
      partitions: { partition: number; leader: number; replicas: { id: number }[] }[];
    }[];
  };
  assert.deepEqual(
    meta.brokers.map((b) => [b.id, b.name]),
    [[1, `127.0.0.1:${broker.port}`]],
  );
  assert.deepEqual(
    meta.topics[0].partitions.map((p) => [p.partition, p.leader, p.replicas.map((r) => r.id)]),
    [
      [0, 1, [1]],
      [1, 1, [1]],
      [2, 1, [1]],
    ],
  );
});

test('kcat -Q finds offsets by timestamp', async () => {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  const t0 = Date.now() - 60_000;
  try {
    await broker.state.topics.createTopic('kcat-times');
    await produce(socket, 'kcat-times', 0, [
      { value: Buffer.from('a'), timestamp: t0 },
      { value: Buffer.from('b'), timestamp: t0 + 1000 },
    ]);
    await produce(socket, 'kcat-times', 0, [{ value: Buffer.from('c'), timestamp: t0 + 2000 }]);
  } finally {
    socket.close();
  }
  const query = async (ts: number) =>
    (await kcatOk(['-Q', '-b', bootstrap, '-t', `kcat-times:0:${ts}`])).trim();
  assert.match(await query(t0 + 500), /kcat-times \[0\] offset 1$/);
  assert.match(await query(t0 + 1500), /kcat-times \[0\] offset 2$/);
  assert.match(await query(t0 + 10_000), /kcat-times \[0\] offset -1$/);
});

test('kcat reaches the broker through localhost too', async () => {
  const result = await kcat(['-L', '-b', `localhost:${broker.port}`, '-J']);
  assert.equal(result.code, 0, result.stderr);
});
