import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashKey, keyGroupOf, keyGroupRangeFor, subtaskForKeyGroup } from './key-groups.ts';

test('every key group belongs to exactly the subtask whose range contains it', () => {
  for (const maxParallelism of [1, 7, 128]) {
    for (let parallelism = 1; parallelism <= Math.min(maxParallelism, 9); parallelism++) {
      for (let kg = 0; kg < maxParallelism; kg++) {
        const owner = subtaskForKeyGroup(kg, maxParallelism, parallelism);
        const range = keyGroupRangeFor(owner, maxParallelism, parallelism);
        assert.ok(kg >= range.start && kg <= range.end, `kg ${kg} p ${parallelism} max ${maxParallelism}`);
      }
    }
  }
});

test('keys spread over key groups and hash by value', () => {
  assert.equal(hashKey('user-1'), hashKey(`user-${1}`));
  assert.notEqual(hashKey(1), hashKey('1'));
  assert.equal(hashKey({ a: 1 }), hashKey({ a: 1 }));
  const counts = new Array(128).fill(0);
  for (let i = 0; i < 12_800; i++) counts[keyGroupOf(`key-${i}`, 128)]++;
  assert.ok(
    Math.min(...counts) > 50 && Math.max(...counts) < 160,
    `uneven spread ${Math.min(...counts)}..${Math.max(...counts)}`,
  );
});
