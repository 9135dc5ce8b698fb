import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Timer, TimerService } from './timers.ts';

const fired = (timers: Timer[]) => timers.map((t) => `${String(t.key)}/${t.namespace}@${t.time}`);

test('event timers fire in time order up to the watermark, ties in registration order', () => {
  const timers = new TimerService();
  timers.registerEventTimer('b', '', 20);
  timers.registerEventTimer('a', '', 10);
  timers.registerEventTimer('c', 'w', 20);
  timers.registerEventTimer('d', '', 30);
  const out: Timer[] = [];
  timers.advanceWatermark(20, (t) => out.push(t));
  assert.deepEqual(fired(out), ['a/@10', 'b/@20', 'c/w@20']);
  assert.equal(timers.eventTimerCount(), 1);
  assert.equal(timers.nextEventTime(), 30);
  assert.equal(timers.currentWatermark(), 20);
});

test('the same (key, namespace, time) registered twice fires once; other namespaces are separate', () => {
  const timers = new TimerService();
  assert.equal(timers.registerEventTimer('k', '', 5), true);
  assert.equal(timers.registerEventTimer('k', '', 5), false);
  timers.registerEventTimer('k', 'w1', 5);
  timers.registerEventTimer(['k', 1], '', 5);
  timers.registerEventTimer(['k', 1], '', 5);
  const out: Timer[] = [];
  timers.advanceWatermark(100, (t) => out.push(t));
  assert.equal(out.length, 3);
});

test('a deleted timer does not fire, and can be registered again', () => {
  const timers = new TimerService();
  timers.registerProcessingTimer('k', '', 50);
  timers.registerProcessingTimer('k', '', 60);
  assert.equal(timers.deleteProcessingTimer('k', '', 50), true);
  assert.equal(timers.deleteProcessingTimer('k', '', 50), false);
  assert.equal(timers.nextProcessingTime(), 60);
  timers.registerProcessingTimer('k', '', 50);
  const out: Timer[] = [];
  timers.advanceProcessingTime(55, (t) => out.push(t));
  assert.deepEqual(fired(out), ['k/@50']);
  assert.equal(timers.nextProcessingTime(), 60);
});

test('event and processing timers are separate queues', () => {
  const timers = new TimerService();
  timers.registerEventTimer('k', '', 10);
  timers.registerProcessingTimer('k', '', 10);
  const out: Timer[] = [];
  timers.advanceProcessingTime(10, (t) => out.push(t));
  assert.equal(out.length, 1);
  assert.equal(timers.eventTimerCount(), 1);
  assert.equal(timers.processingTimerCount(), 0);
  assert.equal(timers.nextProcessingTime(), undefined);
});

test('a timer registered while firing, at or before the watermark, fires in the same advance', () => {
  const timers = new TimerService();
  timers.registerEventTimer('k', '', 10);
  const out: Timer[] = [];
  timers.advanceWatermark(20, (t) => {
    out.push(t);
    if (t.time === 10) {
      timers.registerEventTimer('k', '', 15);
      timers.registerEventTimer('k', '', 25);
      timers.registerEventTimer('k', '', 5);
    }
  });
  assert.deepEqual(fired(out), ['k/@10', 'k/@5', 'k/@15']);
  assert.deepEqual(fired(timers.registered('event')), ['k/@25']);
});

test('many timers come out sorted (heap order holds)', () => {
  const timers = new TimerService();
  const times: number[] = [];
  let seed = 7;
  for (let i = 0; i < 2_000; i++) {
    seed = (seed * 48271) % 2147483647;
    const time = seed % 500;
    times.push(time);
    timers.registerEventTimer(i, '', time);
  }
  for (let i = 0; i < 2_000; i += 3) timers.deleteEventTimer(i, '', times[i]);
  const out: number[] = [];
  timers.advanceWatermark(Number.MAX_SAFE_INTEGER, (t) => out.push(t.time));
  const expected = times.filter((_, i) => i % 3 !== 0).sort((a, b) => a - b);
  assert.deepEqual(out, expected);
});
