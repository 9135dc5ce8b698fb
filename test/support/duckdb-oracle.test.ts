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
