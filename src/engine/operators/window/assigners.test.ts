import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMESTAMP } from '../../../common/time.ts';
import { assignWindows, GLOBAL_WINDOW, maxTimestampOf, namespaceOf, windowOfNamespace } from './assigners.ts';
import { addSessionWindow } from './session-merge.ts';

const tumbling = (size: number, offset = 0) => ({ kind: 'tumbling', time: 'event', size, offset }) as const;
const sliding = (size: number, slide: number, offset = 0) =>
  ({ kind: 'sliding', time: 'event', size, slide, offset }) as const;

test('tumbling windows contain their timestamps, also negative ones', () => {
  assert.deepEqual(assignWindows(tumbling(10), null, 0), [{ start: 0, end: 10 }]);
  assert.deepEqual(assignWindows(tumbling(10), null, 9), [{ start: 0, end: 10 }]);
  assert.deepEqual(assignWindows(tumbling(10), null, 10), [{ start: 10, end: 20 }]);
  assert.deepEqual(assignWindows(tumbling(10), null, -1), [{ start: -10, end: 0 }]);
  assert.deepEqual(assignWindows(tumbling(10), null, -10), [{ start: -10, end: 0 }]);
  assert.deepEqual(assignWindows(tumbling(10), null, -11), [{ start: -20, end: -10 }]);
});

test('tumbling windows shift by the offset', () => {
  // Hour windows offset by 15 minutes: [00:15, 01:15) ...
  const hour = 3_600_000;
  const quarter = 900_000;
  assert.deepEqual(assignWindows(tumbling(hour, quarter), null, quarter - 1), [
    { start: quarter - hour, end: quarter },
  ]);
  assert.deepEqual(assignWindows(tumbling(hour, quarter), null, quarter), [
    { start: quarter, end: quarter + hour },
  ]);
  assert.deepEqual(assignWindows(tumbling(10, 3), null, -5), [{ start: -7, end: 3 }]);
  assert.deepEqual(assignWindows(tumbling(10, -3), null, 6), [{ start: -3, end: 7 }]);
  assert.deepEqual(
    assignWindows(tumbling(10, 13), null, 2),
    [{ start: -7, end: 3 }],
    'offsets beyond size wrap',
  );
});

test('sliding windows: every window that contains the timestamp, newest first', () => {
  assert.deepEqual(assignWindows(sliding(10, 5), null, 7), [
    { start: 5, end: 15 },
    { start: 0, end: 10 },
  ]);
  assert.deepEqual(assignWindows(sliding(10, 5), null, -1), [
    { start: -5, end: 5 },
    { start: -10, end: 0 },
  ]);
  assert.deepEqual(assignWindows(sliding(10, 3, 1), null, 5), [
    { start: 4, end: 14 },
    { start: 1, end: 11 },
    { start: -2, end: 8 },
  ]);
  assert.deepEqual(assignWindows(sliding(5, 10), null, 7), [], 'a gap between windows holds no window');
  assert.deepEqual(assignWindows(sliding(5, 10), null, 3), [{ start: 0, end: 5 }]);
});

test('session windows start at the element and last one gap, static or per element', () => {
  const session = { kind: 'session', time: 'event', gap: 30 } as const;
  assert.deepEqual(assignWindows(session, null, 100), [{ start: 100, end: 130 }]);
  const dynamic = {
    kind: 'session',
    time: 'event',
    gap: (v: unknown) => (v as { gap: number }).gap,
  } as const;
  assert.deepEqual(assignWindows(dynamic, { gap: 5 }, -3), [{ start: -3, end: 2 }]);
  assert.throws(() => assignWindows(dynamic, { gap: 0 }, 1), RangeError);
});

test('the global window, max timestamps and namespaces', () => {
  assert.deepEqual(assignWindows({ kind: 'global' }, null, 5), [GLOBAL_WINDOW]);
  assert.equal(maxTimestampOf(GLOBAL_WINDOW), MAX_TIMESTAMP);
  assert.equal(maxTimestampOf({ start: 0, end: 10 }), 9);
  for (const window of [{ start: -20, end: -10 }, { start: 0, end: 5 }, GLOBAL_WINDOW]) {
    assert.deepEqual(windowOfNamespace(namespaceOf(window)), window);
  }
  assert.equal(namespaceOf({ start: -5, end: 5 }), '-5:5');
});

test('session windows merge when they overlap or touch', () => {
  const a = { start: 0, end: 10 };
  const b = { start: 20, end: 30 };
  assert.deepEqual(addSessionWindow([a, b], { start: 12, end: 18 }), {
    window: { start: 12, end: 18 },
    absorbed: [],
    windows: [a, { start: 12, end: 18 }, b],
  });
  const inside = addSessionWindow([a, b], { start: 2, end: 8 });
  assert.equal(inside.window, a, 'a window inside an existing one is that one');
  assert.deepEqual(inside.absorbed, []);
  assert.deepEqual(addSessionWindow([a, b], { start: 10, end: 20 }), {
    window: { start: 0, end: 30 },
    absorbed: [a, b],
    windows: [{ start: 0, end: 30 }],
  });
  assert.deepEqual(addSessionWindow([a, b], { start: 5, end: 15 }).windows, [{ start: 0, end: 15 }, b]);
  assert.deepEqual(addSessionWindow([a], { start: -10, end: -1 }).windows, [{ start: -10, end: -1 }, a]);
});
