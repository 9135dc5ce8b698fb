import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../common/logging.ts';
import { encodeRecordBatch } from '../../protocol/record-batch/index.ts';
import { TopicStore, type TopicStoreOptions } from './topic-store.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function open(overrides: Partial<TopicStoreOptions> = {}): Promise<TopicStore> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'eddy-topics-')));
  dirs.push(dataDir);
  return TopicStore.open({
    dataDir,
    durability: 'os',
    defaultPartitions: 2,
    autoCreateTopics: true,
    maxRequestBytes: 1 << 20,
    log: createLogger({ level: 'silent', name: 'test' }),
    ...overrides,
  });
}

test('topics, ids and configs survive a restart; huge limits are stored as the largest safe integer', async () => {
  const first = await open();
  const created = await first.createTopic('orders', {
    partitions: 3,
    configs: { 'retention.ms': '9223372036854775807', 'cleanup.policy': 'compact' },
  });
  assert.ok('topic' in created);
  const dataDir = first.partition('orders', 0)?.dir.replace(/\/orders-0$/, '') as string;
  await first.close();
  const second = await open({ dataDir });
  const orders = second.get('orders');
  assert.equal(orders?.topicId, created.topic.topicId);
  assert.equal(orders?.partitions, 3);
  assert.deepEqual(orders?.configs, {
    'retention.ms': String(Number.MAX_SAFE_INTEGER),
    'cleanup.policy': 'compact',
  });
  assert.equal(second.settings('orders')?.compacted, true);
  assert.ok(second.getById(created.topic.topicIdBytes) !== undefined);
  await second.close();
});

test('concurrent auto-creation creates the topic once; disabled auto-creation answers 3', async () => {
  const store = await open();
  const results = await Promise.all(Array.from({ length: 5 }, () => store.ensureTopic('auto')));
  const ids = new Set(results.map((r) => ('topic' in r ? r.topic.topicId : `error ${r.errorCode}`)));
  assert.equal(ids.size, 1);
  assert.equal(store.get('auto')?.partitions, 2);
  const refused = await store.ensureTopic('other', false);
  assert.equal('errorCode' in refused ? refused.errorCode : 0, 3);
  await store.close();
  const noAuto = await open({ autoCreateTopics: false });
  const missing = await noAuto.ensureTopic('x');
  assert.equal('errorCode' in missing ? missing.errorCode : 0, 3);
  await noAuto.close();
});

test('creation refusals are Kafka codes; validateOnly creates nothing', async () => {
  const store = await open();
  const code = async (p: ReturnType<TopicStore['createTopic']>) => {
    const r = await p;
    return 'errorCode' in r ? r.errorCode : 0;
  };
  assert.equal(await code(store.createTopic('a.b')), 0);
  assert.equal(await code(store.createTopic('a.b')), 36);
  assert.equal(await code(store.createTopic('a_b')), 17);
  assert.equal(await code(store.createTopic('bad!')), 17);
  assert.equal(await code(store.createTopic('zero', { partitions: 0 })), 37);
  assert.equal(await code(store.createTopic('cfg', { configs: { 'segment.bytes': 'x' } })), 40);
  assert.equal(await code(store.createTopic('dry', { validateOnly: true })), 0);
  assert.equal(store.get('dry'), undefined);
  assert.equal((await store.deleteTopic('missing'))?.errorCode, 3);
  await store.close();
});

test('waitForAppend wakes on an append through the store, and on close', async () => {
  const store = await open();
  await store.createTopic('t', { partitions: 1 });
  const log = store.partition('t', 0);
  assert.ok(log !== undefined);
  const waiting = store.waitForAppend([{ topic: 't', partition: 0 }], 10_000);
  await store.append('t', 0, log, encodeRecordBatch([{ value: Buffer.from('v') }]));
  assert.equal(await waiting, true);
  assert.equal(log.highWatermark, 1);
  const sleeping = store.waitForAppend([{ topic: 't', partition: 0 }], 10_000);
  await store.close();
  assert.equal(await sleeping, true);
  assert.equal(await store.waitForAppend([{ topic: 't', partition: 0 }], 10_000), false);
});

test('addPartitions raises the count the handlers see; lower counts and unknown topics are Kafka codes', async () => {
  const store = await open();
  await store.createTopic('grow', { partitions: 1 });
  const grown = await store.addPartitions('grow', 3);
  assert.equal('topic' in grown ? grown.topic.partitions : 0, 3);
  assert.equal(store.get('grow')?.partitions, 3);
  assert.ok(store.partition('grow', 2) !== undefined);
  const code = async (p: ReturnType<TopicStore['addPartitions']>) => {
    const r = await p;
    return 'errorCode' in r ? r.errorCode : 0;
  };
  assert.equal(await code(store.addPartitions('grow', 3)), 37);
  assert.equal(await code(store.addPartitions('grow', 0)), 37);
  assert.equal(await code(store.addPartitions('missing', 2)), 3);
  await store.close();
});
