import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownedPartitions, partitionOwner } from './kafka-assignment.ts';

const owners = (topics: string[], counts: Record<string, number>, parallelism: number) => {
  const owner = new Map<string, number>();
  for (let subtask = 0; subtask < parallelism; subtask++) {
    for (const tp of ownedPartitions(topics, new Map(Object.entries(counts)), subtask, parallelism)) {
      const key = `${tp.topic}-${tp.partition}`;
      assert.equal(owner.get(key), undefined, `${key} is owned twice`);
      owner.set(key, subtask);
    }
  }
  return owner;
};

test('every partition has exactly one owner, and a topic is spread round the subtasks', () => {
  const owner = owners(['clicks', 'views'], { clicks: 6, views: 3 }, 3);
  assert.equal(owner.size, 9);
  const perSubtask = [0, 1, 2].map((s) => [...owner.values()].filter((o) => o === s).length);
  assert.deepEqual(perSubtask, [3, 3, 3]);
  for (let p = 0; p < 6; p++) {
    assert.equal(
      owner.get(`clicks-${p}`),
      (owner.get('clicks-0')! + p) % 3,
      'consecutive partitions go round',
    );
  }
});

test('partitions added to one topic move no partition of any topic', () => {
  const topics = ['a', 'b', 'c'];
  const before = owners(topics, { a: 1, b: 2, c: 3 }, 4);
  const after = owners(topics, { a: 5, b: 2, c: 7 }, 4);
  for (const [key, subtask] of before) assert.equal(after.get(key), subtask, key);
  assert.equal(after.size, 14);
});

test('with known counts only the added partitions are listed', () => {
  const counts = new Map([
    ['a', 4],
    ['b', 1],
  ]);
  const known = new Map([
    ['a', 1],
    ['b', 1],
  ]);
  const added = [0, 1].flatMap((s) => ownedPartitions(['a', 'b'], counts, s, 2, known));
  assert.deepEqual(added.map((tp) => `${tp.topic}-${tp.partition}`).sort(), ['a-1', 'a-2', 'a-3']);
});

test('the owner depends on the topic name, so topics with few partitions do not all land on subtask 0', () => {
  const firsts = new Set(
    Array.from({ length: 20 }, (_, i) => partitionOwner({ topic: `topic-${i}`, partition: 0 }, 4)),
  );
  assert.ok(firsts.size > 1);
  assert.equal(partitionOwner({ topic: 'x', partition: 3 }, 1), 0);
});
