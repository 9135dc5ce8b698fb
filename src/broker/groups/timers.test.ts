import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subscribedTopics } from './consumer-protocol.ts';
import { ManualScheduler } from './test-support/manual-scheduler.ts';
import { KeyedTimers } from './timers.ts';

test('rescheduling a key replaces its timer; cancel and close stop timers', () => {
  const clock = new ManualScheduler(0);
  const errors: string[] = [];
  const timers = new KeyedTimers(clock, (_e, key) => errors.push(key));
  const fired: string[] = [];
  timers.schedule('a', 100, () => fired.push(`a@${clock.now()}`));
  clock.advance(60);
  timers.schedule('a', 100, () => fired.push(`a@${clock.now()}`));
  timers.schedule('b', 10, () => fired.push(`b@${clock.now()}`));
  timers.schedule('c', 10, () => fired.push('c'));
  timers.cancel('c');
  clock.advance(200);
  assert.deepEqual(fired, ['b@70', 'a@160']);
  timers.schedule('boom', 0, () => {
    throw new Error('bad');
  });
  clock.advance(0);
  assert.deepEqual(errors, ['boom'], 'a throwing callback is reported, not thrown');
  timers.schedule('late', 5, () => fired.push('late'));
  timers.close();
  timers.schedule('after-close', 0, () => fired.push('after-close'));
  clock.advance(10);
  assert.deepEqual(fired, ['b@70', 'a@160']);
  assert.equal(clock.waiting, 0);
});

test('subscribed topics are read from the consumer protocol v0 prefix; garbage gives null', () => {
  const bytes = Buffer.from([0, 1, 0, 0, 0, 2, 0, 1, 0x61, 0, 2, 0x62, 0x63, 0xff, 0xff, 0xff, 0xff]);
  assert.deepEqual(subscribedTopics(bytes), ['a', 'bc']);
  assert.equal(subscribedTopics(Buffer.from([0, 1, 0, 0, 0, 5, 0, 1])), null);
  assert.equal(subscribedTopics(Buffer.alloc(0)), null);
});
