import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHistory, describeViolations } from './checker.ts';

const at = (partition: number, offset: number, value: string) => ({ partition, offset, value });

test('a valid history has no violations, even when positions are read twice', () => {
  const violations = checkHistory({
    acked: ['a', { value: 'b', partition: 1, offset: 0 }],
    consumed: [at(0, 0, 'a'), at(1, 0, 'b'), at(0, 1, 'c'), at(0, 0, 'a')],
    attempted: ['a', 'b', 'c'],
    aborted: ['x'],
  });
  assert.deepEqual(violations, []);
});

test('an acknowledged record that is never read back is lost', () => {
  const violations = checkHistory({ acked: ['a', 'b'], consumed: [at(0, 0, 'a')] });
  assert.deepEqual(violations, [{ kind: 'lost', value: 'b' }]);
});

test('a value stored twice is a duplicate unless duplicates are allowed', () => {
  const history = { acked: ['a'], consumed: [at(0, 3, 'a'), at(0, 0, 'a'), at(0, 1, 'b')] };
  assert.deepEqual(checkHistory(history), [
    {
      kind: 'duplicate',
      value: 'a',
      positions: [
        { partition: 0, offset: 0 },
        { partition: 0, offset: 3 },
      ],
    },
  ]);
  assert.deepEqual(checkHistory(history, { allowDuplicates: true }), []);
});

test('one offset read back with two values is a conflict', () => {
  const violations = checkHistory({ acked: [], consumed: [at(2, 7, 'a'), at(2, 7, 'b')] });
  assert.deepEqual(violations, [{ kind: 'offset-conflict', partition: 2, offset: 7, values: ['a', 'b'] }]);
});

test('an acknowledged offset that holds another value is reported', () => {
  const violations = checkHistory({
    acked: [{ value: 'a', partition: 0, offset: 5 }],
    consumed: [at(0, 4, 'a')],
  });
  assert.deepEqual(violations, [
    {
      kind: 'wrong-offset',
      value: 'a',
      acked: { partition: 0, offset: 5 },
      found: [{ partition: 0, offset: 4 }],
    },
  ]);
});

test('values of aborted transactions must not be visible, and nothing unsent may appear', () => {
  const violations = checkHistory({
    acked: ['a'],
    consumed: [at(0, 0, 'a'), at(0, 1, 'aborted-1'), at(0, 2, 'ghost')],
    attempted: ['a', 'aborted-1'],
    aborted: ['aborted-1'],
  });
  assert.deepEqual(violations, [
    { kind: 'aborted-visible', value: 'aborted-1', partition: 0, offset: 1 },
    { kind: 'unexpected', value: 'ghost', partition: 0, offset: 2 },
  ]);
  assert.match(describeViolations(violations), /1 aborted-visible: .*\n1 unexpected: /);
});
