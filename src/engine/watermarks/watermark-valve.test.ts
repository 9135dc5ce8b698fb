import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatermarkValve } from './watermark-valve.ts';

test('the combined watermark is the minimum over channels and only rises', () => {
  const valve = new WatermarkValve(2);
  assert.equal(valve.onWatermark(0, 10), undefined, 'channel 1 has none yet');
  assert.equal(valve.onWatermark(1, 7), 7);
  assert.equal(valve.onWatermark(1, 12), 10);
  assert.equal(valve.onWatermark(0, 9), undefined, 'a channel going back changes nothing');
  assert.equal(valve.watermark, 10);
});

test('idle channels are left out; when all are idle nothing advances', () => {
  const valve = new WatermarkValve(2);
  valve.onWatermark(0, 100);
  assert.equal(valve.onIdle(1, true), 100);
  assert.equal(valve.isIdle, false);
  assert.equal(valve.onIdle(0, true), undefined);
  assert.equal(valve.isIdle, true);
  assert.equal(valve.onWatermark(0, 200), undefined, 'an idle channel does not advance the watermark');
  assert.equal(valve.onIdle(0, false), 200);
});

test('an ended channel leaves the minimum and all ended is reported', () => {
  const valve = new WatermarkValve(2);
  valve.onWatermark(0, 5);
  valve.onWatermark(1, 50);
  assert.equal(valve.onEnd(0), 50);
  assert.equal(valve.allEnded, false);
  valve.onIdle(1, true);
  assert.equal(valve.isIdle, true);
  valve.onEnd(1);
  assert.equal(valve.allEnded, true);
  assert.equal(valve.isIdle, false);
});
