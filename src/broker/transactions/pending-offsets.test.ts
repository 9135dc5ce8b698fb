import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GroupCoordinator } from '../groups/coordinator.ts';
import { OffsetStore } from '../groups/offset-store.ts';
import type { PendingTxnOffset } from '../producers/transactional-ids.ts';
import { mergePending, PendingOffsetMarks, toCommitted } from './pending-offsets.ts';

const offset = (groupId: string, partition: number, value: number): PendingTxnOffset => ({
  groupId,
  topic: 't',
  partition,
  offset: value,
  leaderEpoch: -1,
  metadata: '',
  commitTimestamp: 5,
});

test('a later commit of the same group partition in one transaction replaces the earlier one', () => {
  const { merged, fresh } = mergePending(
    [offset('g', 0, 1), offset('g', 1, 1)],
    [offset('g', 1, 9), offset('h', 1, 3)],
  );
  assert.deepEqual(
    merged.map((o) => [o.groupId, o.partition, o.offset]),
    [
      ['g', 0, 1],
      ['g', 1, 9],
      ['h', 1, 3],
    ],
  );
  assert.deepEqual(
    fresh.map((o) => o.groupId),
    ['h'],
  );
  assert.deepEqual(toCommitted([offset('g', 0, 4)]), [
    [
      { groupId: 'g', topic: 't', partition: 0 },
      { offset: 4, leaderEpoch: -1, metadata: '', commitTimestamp: 5, expireTimestamp: null },
    ],
  ]);
});

test('a partition stays pending until the last transaction holding it ends', () => {
  const offsets = new OffsetStore();
  const marks = new PendingOffsetMarks({ offsets } as unknown as GroupCoordinator);
  marks.add([offset('g', 0, 1)]);
  marks.add([offset('g', 0, 2)]); // a second transaction (another producer) holds it too
  assert.equal(offsets.hasPendingTransactional('g', 't', 0), true);
  marks.remove([offset('g', 0, 1)]);
  assert.equal(offsets.hasPendingTransactional('g', 't', 0), true);
  marks.remove([offset('g', 0, 2)]);
  assert.equal(offsets.hasPendingTransactional('g', 't', 0), false);
});
