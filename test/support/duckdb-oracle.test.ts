import assert from 'node:assert/strict';
import { test } from 'node:test';
import { windowAnswer } from './duckdb-oracle.ts';

// The oracle decides whether the engine is right, so its own answers are checked against hand-worked cases.
const events = [
  { key: 'a', ts: -5, value: 1 },
  { key: 'a', ts: 0, value: 2 },
  { key: 'a', ts: 9, value: 3 },
  { key: 'a', ts: 19, value: 4 },
  { key: 'b', ts: 10, value: 5 },
];

test('tumbling windows floor negative timestamps', async () => {
  assert.deepEqual(await windowAnswer(events, { kind: 'tumbling', size: 10 }), [
    { key: 'a', start: -10, end: 0, count: 1, sum: 1 },
    { key: 'a', start: 0, end: 10, count: 2, sum: 5 },
    { key: 'a', start: 10, end: 20, count: 1, sum: 4 },
    { key: 'b', start: 10, end: 20, count: 1, sum: 5 },
  ]);
});

test('sliding windows put an event in size/slide windows', async () => {
  const rows = await windowAnswer([{ key: 'a', ts: 7, value: 1 }], { kind: 'sliding', size: 10, slide: 5 });
  assert.deepEqual(
    rows.map((r) => [r.start, r.end]),
    [
      [0, 10],
      [5, 15],
    ],
  );
});

test('sessions merge events at most gap apart, touching windows included', async () => {
  const rows = await windowAnswer(
    [
      { key: 'a', ts: 0, value: 1 },
      { key: 'a', ts: 10, value: 1 },
      { key: 'a', ts: 21, value: 1 },
    ],
    { kind: 'session', gap: 10 },
  );
  assert.deepEqual(rows, [
    { key: 'a', start: 0, end: 20, count: 2, sum: 2 },
    { key: 'a', start: 21, end: 31, count: 1, sum: 1 },
  ]);
});

test('sessions keep events with equal timestamps together', async () => {
  // DuckDB ordered the two peers at 48 one way for lag() and the other way for the running count, and
  // put one of them in the session before: [37, 53) and [48, 53) overlapped. Found by
  // test/differential/windows.test.ts; this input reproduced it every time.
  const times = [
    73, 60, 10, 115, 28, 64, 30, 113, 48, 37, 108, 7, 148, 101, 5, 101, 17, 48, 24, 134, 21, 18, 10, 101,
  ];
  const rows = await windowAnswer(
    times.map((ts) => ({ key: 'a', ts, value: 1 })),
    { kind: 'session', gap: 5 },
  );
  assert.deepEqual(
    rows.map((r) => [r.start, r.end, r.count]),
    [
      [5, 15, 4],
      [17, 35, 6],
      [37, 42, 1],
      [48, 53, 2],
      [60, 69, 2],
      [73, 78, 1],
      [101, 106, 3],
      [108, 120, 3],
      [134, 139, 1],
      [148, 153, 1],
    ],
  );
});
