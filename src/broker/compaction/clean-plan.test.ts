import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClosedSegment } from '../storage/partition-log.ts';
import { groupSegments, type PlanInput, planClean } from './clean-plan.ts';
import { compactionConfig } from './compaction-config.ts';

const NOW = 10_000_000;
/** Four closed segments of 100 offsets and 1000 bytes, timestamps one minute apart, oldest first. */
const SEGMENTS: ClosedSegment[] = [0, 1, 2, 3].map((i) => ({
  baseOffset: i * 100,
  nextOffset: (i + 1) * 100,
  size: 1000,
  maxTimestamp: NOW - (4 - i) * 60_000,
  lastModified: NOW,
}));

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    segments: SEGMENTS,
    firstDirtyOffset: 0,
    now: NOW,
    config: compactionConfig({ 'cleanup.policy': 'compact' }),
    firstUnstableOffset: null,
    pendingHorizon: null,
    firstDirtyTimestamp: null,
    force: false,
    ...over,
  };
}

test('cleans when the dirty ratio passes min.cleanable.dirty.ratio', () => {
  const all = planClean(input());
  assert.equal(all?.reason, 'dirty-ratio');
  assert.equal(all?.dirtyRatio, 1);
  assert.equal(all?.cleanable.length, 4);
  assert.equal(all?.firstDirtyIndex, 0);
  assert.equal(planClean(input({ firstDirtyOffset: 200 })), null, 'half dirty is not more than 0.5');
  const quarter = planClean(
    input({
      firstDirtyOffset: 300,
      config: compactionConfig({ 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.2' }),
    }),
  );
  assert.equal(quarter?.firstDirtyIndex, 3);
  assert.equal(quarter?.dirtyRatio, 0.25);
  assert.equal(planClean(input({ firstDirtyOffset: 400 })), null, 'nothing dirty');
});

test('open transactions and min.compaction.lag.ms bound what is cleanable', () => {
  assert.equal(planClean(input({ firstUnstableOffset: 250 }))?.cleanable.length, 2);
  assert.equal(planClean(input({ firstUnstableOffset: 0 })), null);
  const lagged = input({
    config: compactionConfig({ 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '150000' }),
  });
  assert.equal(planClean(lagged)?.cleanable.length, 2, 'the two newest segments are too young');
  const cleanPart = planClean({ ...lagged, firstDirtyOffset: 300, force: true });
  assert.equal(
    cleanPart?.cleanable.length,
    3,
    'the lag applies to dirty segments only: the clean ones before stay cleanable',
  );
});

test('max.compaction.lag.ms, a passed delete horizon and force clean below the ratio', () => {
  const base = input({ firstDirtyOffset: 200 });
  assert.equal(planClean(base), null);
  const maxLag = compactionConfig({ 'cleanup.policy': 'compact', 'max.compaction.lag.ms': '60000' });
  assert.equal(
    planClean({ ...base, config: maxLag, firstDirtyTimestamp: NOW - 60_001 })?.reason,
    'max-compaction-lag',
  );
  assert.equal(planClean({ ...base, config: maxLag, firstDirtyTimestamp: NOW - 60_000 }), null);
  assert.equal(planClean({ ...base, pendingHorizon: NOW })?.reason, 'delete-horizon');
  assert.equal(planClean({ ...base, pendingHorizon: NOW + 1 }), null);
  assert.equal(planClean({ ...base, firstDirtyOffset: 400, force: true })?.reason, 'forced');
  assert.equal(planClean({ ...base, segments: [], force: true }), null);
});

test('groups stay within segment.bytes and the relative offset range', () => {
  assert.deepEqual(
    groupSegments(SEGMENTS, 2500).map((g) => g.map((s) => s.baseOffset)),
    [
      [0, 100],
      [200, 300],
    ],
  );
  assert.deepEqual(groupSegments(SEGMENTS, 999).length, 4, 'a segment bigger than the limit is alone');
  const wide: ClosedSegment[] = [
    { ...SEGMENTS[0], nextOffset: 2 ** 31 },
    { ...SEGMENTS[0], baseOffset: 2 ** 31, nextOffset: 2 ** 31 + 10 },
  ];
  assert.equal(groupSegments(wide, 1 << 30).length, 2);
});

test('compaction settings parse Kafka values, Long.MAX_VALUE meaning no limit', () => {
  const c = compactionConfig({
    'cleanup.policy': 'compact,delete',
    'max.compaction.lag.ms': '9223372036854775807',
    'delete.retention.ms': '100',
  });
  assert.equal(c.compact, true);
  assert.equal(c.maxCompactionLagMs, Number.POSITIVE_INFINITY);
  assert.equal(c.deleteRetentionMs, 100);
  assert.equal(compactionConfig({}).compact, false);
  assert.equal(compactionConfig({ 'cleanup.policy': 'delete' }).compact, false);
});
