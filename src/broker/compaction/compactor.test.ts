import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../common/logging.ts';
import { TopicStore } from '../topics/topic-store.ts';
import { batchOf, readRecords, tempDir } from './test-support/records.ts';

async function openStore(dataDir: string, compactionCheckIntervalMs: number): Promise<TopicStore> {
  return TopicStore.open({
    dataDir,
    durability: 'os',
    defaultPartitions: 1,
    autoCreateTopics: true,
    maxRequestBytes: 1 << 20,
    log: createLogger({ level: 'silent', name: 'test' }),
    compactionCheckIntervalMs,
  });
}

/** Writes `rounds` updates of keys a..d to a topic's partition 0. */
async function fill(store: TopicStore, topic: string, rounds: number): Promise<void> {
  const log = store.partition(topic, 0)!;
  for (let i = 0; i < rounds; i++) {
    await store.append(
      topic,
      0,
      log,
      batchOf(['a', 'b', 'c', 'd'].map((key) => ({ key, value: `${key}${i}` }))),
    );
  }
}

test('the store compacts compacted topics on its timer, and only those', { timeout: 15_000 }, async () => {
  const { dir, cleanup } = await tempDir();
  const store = await openStore(dir, 50);
  try {
    const configs = { 'segment.bytes': '512' };
    await store.createTopic('state', { partitions: 1, configs: { ...configs, 'cleanup.policy': 'compact' } });
    await store.createTopic('events', { partitions: 1, configs });
    await fill(store, 'state', 60);
    await fill(store, 'events', 60);
    const state = store.partition('state', 0)!;
    const events = store.partition('events', 0)!;
    const deadline = Date.now() + 10_000;
    while ((await readRecords(state)).length > 40 && Date.now() < deadline) await sleep(50);
    const kept = await readRecords(state);
    assert.ok(kept.length <= 40, `compacted in the background: ${kept.length} records left of 240`);
    assert.equal((await readRecords(events)).length, 240, 'a delete-policy topic is never compacted');
    const latest = new Map(kept.map((r) => [r.key, r.value]));
    assert.deepEqual(Object.fromEntries(latest), { a: 'a59', b: 'b59', c: 'c59', d: 'd59' });
  } finally {
    await store.close();
    await cleanup();
  }
});

test('compactNow cleans at once; the transaction seam can hold cleaning back', async () => {
  const { dir, cleanup } = await tempDir();
  const store = await openStore(dir, 3_600_000);
  try {
    await store.createTopic('state', {
      partitions: 1,
      configs: { 'cleanup.policy': 'compact,delete', 'segment.bytes': '512' },
    });
    await fill(store, 'state', 40);
    let asked = 0;
    store.compaction.transactionView = (topic, partition) => ({
      firstUnstableOffset: () => {
        asked++;
        assert.deepEqual([topic, partition], ['state', 0]);
        return 0; // an open transaction from the first offset: nothing is cleanable
      },
    });
    assert.deepEqual(await store.compactNow(), []);
    assert.equal(asked, 1);
    store.compaction.transactionView = null;
    const [report] = await store.compactNow({ topic: 'state' });
    assert.equal(report.topic, 'state');
    assert.equal(report.cleaned, true);
    assert.equal(report.reason, 'forced');
    assert.ok(report.recordsRemoved > 100);
    assert.deepEqual(await store.compactNow({ topic: 'other' }), []);
  } finally {
    await store.close();
    await cleanup();
  }
});
