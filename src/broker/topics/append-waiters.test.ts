import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppendWaiters, partitionKey } from './append-waiters.ts';

test('a waiter wakes on an append to any of its partitions and is removed', async () => {
  const waiters = new AppendWaiters();
  const waiting = waiters.wait([partitionKey('a', 0), partitionKey('b', 1)], 5_000);
  assert.equal(waiters.size, 1);
  waiters.notify(partitionKey('a', 1)); // another partition: no effect
  assert.equal(waiters.size, 1);
  waiters.notify(partitionKey('b', 1));
  assert.equal(await waiting, true);
  assert.equal(waiters.size, 0);
});

test('a waiter times out with false', async () => {
  const waiters = new AppendWaiters();
  const started = Date.now();
  assert.equal(await waiters.wait([partitionKey('a', 0)], 30), false);
  assert.ok(Date.now() - started >= 25);
  assert.equal(waiters.size, 0);
});

test('abort and notifyAll end waits; no keys or no time means no wait', async () => {
  const waiters = new AppendWaiters();
  const controller = new AbortController();
  const aborted = waiters.wait([partitionKey('a', 0)], 5_000, controller.signal);
  controller.abort();
  assert.equal(await aborted, false);
  const all = waiters.wait([partitionKey('x', 3)], 5_000);
  waiters.notifyAll();
  assert.equal(await all, true);
  assert.equal(await waiters.wait([], 5_000), false);
  assert.equal(await waiters.wait([partitionKey('a', 0)], 0), false);
  assert.equal(waiters.size, 0);
});
