import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CpuProfile, summariseProfile } from './cpu-profile.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

// (root) -> main -> parse -> parse (recursion) ; main -> write ; (idle) ; (garbage collector)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 6, 7] },
    { id: 2, callFrame: frame('main', 'file:///repo/src/broker/server.ts', 9), children: [3, 5] },
    { id: 3, callFrame: frame('parse', 'file:///repo/src/protocol/codec.ts', 19), children: [4] },
    { id: 4, callFrame: frame('parse', 'file:///repo/src/protocol/codec.ts', 19) },
    { id: 5, callFrame: frame('writeBuffer') },
    { id: 6, callFrame: frame('(idle)') },
    { id: 7, callFrame: frame('(garbage collector)') },
  ],
  startTime: 0,
  endTime: 10_000,
  samples: [3, 4, 4, 5, 6, 6, 7, 2],
  timeDeltas: [1000, 1000, 1000, 1000, 2000, 2000, 1000, 1000],
};

test('self, inclusive and per-file time, as shares of the busy (non-idle) time', () => {
  const s = summariseProfile(profile);
  assert.equal(s.wallMs, 10);
  assert.equal(s.busyMs, 6);
  assert.deepEqual(
    s.selfByFunction.map((h) => [h.name, h.ms]),
    [
      ['parse src/protocol/codec.ts:20', 3],
      ['writeBuffer', 1],
      ['(garbage collector)', 1],
      ['main src/broker/server.ts:10', 1],
    ],
  );
  assert.equal(s.selfByFunction[0].pct, 50);
  // Recursion is counted once per sample, so parse is 3 ms inclusive, not 5.
  const inclusive = Object.fromEntries(s.inclusiveByFunction.map((h) => [h.name, h.ms]));
  assert.equal(inclusive['parse src/protocol/codec.ts:20'], 3);
  assert.equal(inclusive['main src/broker/server.ts:10'], 5);
  assert.equal(inclusive['(root)'], undefined);
  const files = Object.fromEntries(s.selfByFile.map((h) => [h.name, h.ms]));
  assert.deepEqual(files, {
    'src/protocol/codec.ts': 3,
    'src/broker/server.ts': 1,
    writeBuffer: 1,
    '(garbage collector)': 1,
  });
});

test('top limits every list', () => {
  const s = summariseProfile(profile, 2);
  assert.equal(s.selfByFunction.length, 2);
  assert.equal(s.selfByFile.length, 2);
  assert.equal(s.inclusiveByFunction.length, 2);
});
