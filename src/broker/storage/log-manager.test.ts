import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { LogManager } from './log-manager.ts';
import { crc32c, makeBatch, payloadFor, tempDir } from './test-support/batches.ts';
import { readAll } from './test-support/log-helpers.ts';

const dirs: Array<() => Promise<void>> = [];
after(() => Promise.all(dirs.map((cleanup) => cleanup())));
async function freshDir(): Promise<string> {
  const { dir, cleanup } = await tempDir('eddy-logs-');
  dirs.push(cleanup);
  return dir;
}

const open = (dataDir: string) => LogManager.open({ dataDir, crc32c, defaults: { durability: 'os' } });

test('topics are created with a directory per partition and survive a restart', async () => {
  const dataDir = await freshDir();
  const logs = await open(dataDir);
  const orders = await logs.createTopic('orders', 3, { 'segment.bytes': '300', 'cleanup.policy': 'delete' });
  await logs.createTopic('a-1', 1);
  assert.deepEqual(
    logs.listTopics().map((t) => [t.name, t.partitions]),
    [
      ['a-1', 1],
      ['orders', 3],
    ],
  );
  const entries = (await readdir(dataDir)).sort();
  assert.deepEqual(entries, ['a-1-0', 'orders-0', 'orders-1', 'orders-2', 'topics']);
  assert.equal(logs.configOf('orders')?.segmentBytes, 300, 'overrides apply to the logs');
  for (let i = 0; i < 10; i++) await logs.getLog('orders', 1)?.append(makeBatch({ payload: payloadFor(i) }));
  assert.ok((logs.getLog('orders', 1)?.segmentBaseOffsets.length ?? 0) > 1);
  assert.equal(logs.getLog('orders', 3), undefined);
  await logs.close();

  const reopened = await open(dataDir);
  const meta = reopened.getTopic('orders');
  assert.deepEqual(meta, orders, 'id, partitions and configs (including ones storage ignores) persist');
  const log = reopened.getLog('orders', 1);
  assert.ok(log !== undefined);
  assert.equal(log.logEndOffset, 10);
  assert.equal((await readAll(log)).length, 10);
  await reopened.close();
});

test('create rejects duplicates, bad names, bad partition counts and bad configs', async () => {
  const logs = await open(await freshDir());
  await logs.createTopic('t', 1);
  await assert.rejects(logs.createTopic('t', 1), (e) => isStreamError(e, 'BRK_TOPIC_EXISTS'));
  for (const name of ['', '.', '..', 'a/b', 'with space', 'x'.repeat(250)]) {
    await assert.rejects(logs.createTopic(name, 1), (e) => isStreamError(e, 'BRK_TOPIC_INVALID'), name);
  }
  await assert.rejects(logs.createTopic('u', 0), (e) => isStreamError(e, 'BRK_TOPIC_INVALID'));
  await assert.rejects(logs.createTopic('u', 1, { 'retention.ms': 'soon' }), (e) =>
    isStreamError(e, 'CFG_INVALID_VALUE'),
  );
  assert.equal(logs.getTopic('u'), undefined);
  await logs.close();
});

test('deleting a topic removes its data; a new topic of the same name starts empty', async () => {
  const dataDir = await freshDir();
  const logs = await open(dataDir);
  const first = await logs.createTopic('t', 2);
  await logs.getLog('t', 0)?.append(makeBatch());
  await logs.deleteTopic('t');
  assert.equal(logs.getTopic('t'), undefined);
  assert.deepEqual(await readdir(dataDir), ['topics']);
  await assert.rejects(logs.deleteTopic('t'), (e) => isStreamError(e, 'BRK_TOPIC_NOT_FOUND'));
  const second = await logs.createTopic('t', 1);
  assert.notEqual(second.topicId, first.topicId);
  assert.equal(logs.getLog('t', 0)?.logEndOffset, 0);
  await logs.close();
});

test('partition directories without a topic file are removed on open', async () => {
  const dataDir = await freshDir();
  const logs = await open(dataDir);
  await logs.createTopic('kept', 1);
  await logs.close();
  await mkdir(join(dataDir, 'half-created-0'));
  await writeFile(join(dataDir, 'half-created-0', '00000000000000000000.log'), 'x');
  await mkdir(join(dataDir, 'kept-5'));
  await mkdir(join(dataDir, 'not-a-partition'));
  const reopened = await open(dataDir);
  assert.deepEqual((await readdir(dataDir)).sort(), ['kept-0', 'not-a-partition', 'topics']);
  await reopened.close();
});

test('setTopicConfig persists overrides and applies them to open logs', async () => {
  const dataDir = await freshDir();
  const logs = await open(dataDir);
  await logs.createTopic('t', 1);
  await logs.setTopicConfig('t', { 'retention.bytes': '1000' });
  assert.equal(logs.getLog('t', 0)?.currentConfig.retentionBytes, 1000);
  await logs.close();
  const reopened = await open(dataDir);
  assert.equal(reopened.getLog('t', 0)?.currentConfig.retentionBytes, 1000);
  await reopened.close();
});

test('addPartitions adds empty logs, keeps the old data and persists the count; it never shrinks', async () => {
  const dataDir = await freshDir();
  const logs = await open(dataDir);
  const created = await logs.createTopic('grow', 1);
  await logs.getLog('grow', 0)?.append(makeBatch());
  const grown = await logs.addPartitions('grow', 3);
  assert.deepEqual({ ...grown, partitions: 1 }, created, 'same id and configs');
  assert.equal(grown.partitions, 3);
  assert.equal(logs.getLog('grow', 0)?.logEndOffset, 1);
  assert.equal(logs.getLog('grow', 2)?.logEndOffset, 0);
  for (const total of [3, 2, 0.5]) {
    await assert.rejects(logs.addPartitions('grow', total), (e) => isStreamError(e, 'BRK_TOPIC_INVALID'));
  }
  await assert.rejects(logs.addPartitions('none', 2), (e) => isStreamError(e, 'BRK_TOPIC_NOT_FOUND'));
  await logs.close();
  const reopened = await open(dataDir);
  assert.equal(reopened.getTopic('grow')?.partitions, 3);
  assert.equal(reopened.getLog('grow', 0)?.logEndOffset, 1);
  assert.ok(reopened.getLog('grow', 2) !== undefined);
  await reopened.close();
});
