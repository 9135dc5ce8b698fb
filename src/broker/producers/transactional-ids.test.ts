import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaError } from '../error-codes.ts';
import { MetaStore } from '../storage/meta-store.ts';
import { tempDir } from '../storage/test-support/batches.ts';
import { PRODUCER_ID_BLOCK_SIZE, ProducerIdManager } from './producer-ids.ts';
import { initTransition, type TransactionalIdEntry, TransactionalIds } from './transactional-ids.ts';

const entry = (over: Partial<TransactionalIdEntry> = {}): TransactionalIdEntry => ({
  producerId: 10,
  previousProducerId: 10,
  producerEpoch: 4,
  lastProducerEpoch: 3,
  timeoutMs: 60_000,
  state: 'Empty',
  updatedAtMs: 0,
  ...over,
});

test('producer ids are unique across reopen: each restart starts a fresh block', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    let meta = await MetaStore.open<unknown>(dir, 'producers');
    let ids = new ProducerIdManager(meta);
    const first = await Promise.all([ids.generate(), ids.generate(), ids.generate()]);
    assert.deepEqual(first, [0, 1, 2]);
    await meta.close();
    meta = await MetaStore.open<unknown>(dir, 'producers');
    ids = new ProducerIdManager(meta);
    assert.equal(await ids.generate(), PRODUCER_ID_BLOCK_SIZE);
    for (let i = 1; i < PRODUCER_ID_BLOCK_SIZE; i++) await ids.generate();
    assert.equal(
      await ids.generate(),
      2 * PRODUCER_ID_BLOCK_SIZE,
      'the next block is claimed when one runs out',
    );
    await meta.close();
  } finally {
    await cleanup();
  }
});

test('InitProducerId epoch rules: bump, retry, fence, rotate, concurrent', () => {
  assert.deepEqual(initTransition(entry(), null), { kind: 'bump', producerEpoch: 5, lastProducerEpoch: -1 });
  // KIP-360: the current id and epoch bump; the previous epoch is a retry answered the same way.
  assert.deepEqual(initTransition(entry(), { producerId: 10, producerEpoch: 4 }), {
    kind: 'bump',
    producerEpoch: 5,
    lastProducerEpoch: 4,
  });
  assert.deepEqual(initTransition(entry(), { producerId: 10, producerEpoch: 3 }), {
    kind: 'bump',
    producerEpoch: 4,
    lastProducerEpoch: 3,
  });
  assert.deepEqual(initTransition(entry(), { producerId: 10, producerEpoch: 2 }), {
    kind: 'error',
    errorCode: KafkaError.PRODUCER_FENCED,
  });
  assert.deepEqual(initTransition(entry(), { producerId: 11, producerEpoch: 4 }), {
    kind: 'error',
    errorCode: KafkaError.PRODUCER_FENCED,
  });
  assert.deepEqual(initTransition(entry({ producerEpoch: 32_766 }), null), {
    kind: 'rotate',
    lastProducerEpoch: -1,
  });
  assert.deepEqual(initTransition(entry({ state: 'PrepareCommit' }), null), {
    kind: 'error',
    errorCode: KafkaError.CONCURRENT_TRANSACTIONS,
  });
});

test('a transactional id keeps its producer id, bumps its epoch, and survives a reopen', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    let meta = await MetaStore.open<unknown>(dir, 'producers');
    let txn = new TransactionalIds(meta, new ProducerIdManager(meta), () => 1_000);
    const a = await txn.init('copier', 60_000, null);
    const b = await txn.init('copier', 60_000, null);
    const other = await txn.init('other', 60_000, null);
    assert.equal(a.errorCode, 0);
    assert.equal(b.producerId, a.producerId);
    assert.deepEqual([a.producerEpoch, b.producerEpoch], [0, 1]);
    assert.notEqual(other.producerId, a.producerId);
    // The instance at epoch 0 was fenced by the second init.
    const zombie = await txn.init('copier', 60_000, { producerId: a.producerId, producerEpoch: 0 });
    assert.equal(zombie.errorCode, KafkaError.PRODUCER_FENCED);
    await meta.close();

    meta = await MetaStore.open<unknown>(dir, 'producers');
    txn = new TransactionalIds(meta, new ProducerIdManager(meta), () => 2_000);
    const c = await txn.init('copier', 60_000, { producerId: b.producerId, producerEpoch: 1 });
    assert.deepEqual([c.producerId, c.producerEpoch], [a.producerId, 2]);
    assert.equal(await txn.expire(2_000 + 999, 1_000), 1, 'only "other" (last change at 1000) expired');
    assert.equal(txn.get('other'), undefined);
    assert.ok(txn.get('copier'));
    await meta.close();
  } finally {
    await cleanup();
  }
});
