import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkNewAssignments, type NewPartitions } from './partitions-request.ts';

const NODE = 1;
const grow = (count: number, assignments: number[][] | null): NewPartitions => ({
  name: 'orders',
  count,
  assignments: assignments?.map((brokerIds) => ({ brokerIds })) ?? null,
});
const code = (request: NewPartitions, current = 2) => checkNewAssignments(request, current, NODE)?.errorCode;

test('no assignment list, or one replica on this broker per new partition, is accepted', () => {
  assert.equal(checkNewAssignments(grow(5, null), 2, NODE), null);
  assert.equal(checkNewAssignments(grow(4, [[1], [1]]), 2, NODE), null);
});

test('a list of the wrong length is INVALID_REPLICA_ASSIGNMENT naming how many are needed', () => {
  const short = checkNewAssignments(grow(5, [[1]]), 2, NODE);
  assert.equal(short?.errorCode, 39);
  assert.match(short?.errorMessage ?? '', /from 2 to 5 partitions, so give 3 replica assignment\(s\).*not 1/);
  assert.equal(code(grow(3, [[1], [1]])), 39);
  assert.equal(code(grow(3, [])), 39, 'an empty list is a list, not "none"');
});

test('replica sets this broker cannot host are INVALID_REPLICA_ASSIGNMENT, naming the partition', () => {
  const empty = checkNewAssignments(grow(4, [[1], []]), 2, NODE);
  assert.equal(empty?.errorCode, 39);
  assert.match(empty?.errorMessage ?? '', /new partition 3 lists no broker; assign it to broker 1/);
  const stranger = checkNewAssignments(grow(3, [[7]]), 2, NODE);
  assert.match(stranger?.errorMessage ?? '', /partition 2 names broker 7, which does not exist/);
  assert.equal(code(grow(3, [[1, 2]])), 39);
  const twice = checkNewAssignments(grow(3, [[1, 1]]), 2, NODE);
  assert.equal(twice?.errorCode, 39);
  assert.match(twice?.errorMessage ?? '', /names broker 1 2 times/);
});
