import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import type { KeyedProcessFunction } from '../../plan/functions.ts';
import type { ValueState, ValueStateDescriptor } from '../../plan/state.ts';
import { keyGroupOf, keyGroupRangeFor } from '../../state/key-groups.ts';
import { OperatorHarness } from './operator-harness.ts';

const CLICKS: ValueStateDescriptor<number> = { kind: 'value', name: 'clicks' };

/** Counts clicks per user and reports them one minute of event time after the first click. */
function clicksPerMinute(): KeyedProcessFunction<string, string, string> {
  let clicks!: ValueState<number>;
  return {
    open(ctx) {
      clicks = ctx.state.getState(CLICKS);
    },
    processElement(_user, ctx) {
      const seen = clicks.value() ?? 0;
      if (seen === 0) ctx.timerService.registerEventTimeTimer(ctx.timestamp + 60_000);
      clicks.update(seen + 1);
    },
    onTimer(_time, ctx, out) {
      out.collect(`${ctx.key}: ${clicks.value()} clicks`);
      clicks.clear();
    },
  };
}
const user = (u: string) => u;

test('snapshot → restore into a fresh harness (on lmdb) → continue gives what an uninterrupted run gives', async () => {
  const straight = await OperatorHarness.forKeyedProcess(clicksPerMinute(), user);
  const first = await OperatorHarness.forKeyedProcess(clicksPerMinute(), user);
  for (const h of [straight, first]) {
    h.processElement('ann', 1_000);
    h.processElement('bob', 30_000);
  }
  const snap = await first.snapshot();
  await first.close();
  const restored = await OperatorHarness.forKeyedProcess(clicksPerMinute(), user, {
    restoreFrom: snap,
    stateBackend: { kind: 'lmdb' },
  });
  assert.equal(restored.state('ann', CLICKS), 1);
  for (const h of [straight, restored]) {
    h.processElement('ann', 5_000);
    h.processWatermark(100_000);
  }
  assert.deepEqual(restored.outputWithTimestamps(), straight.outputWithTimestamps());
  assert.deepEqual(restored.output(), ['ann: 2 clicks', 'bob: 1 clicks']);
  assert.equal(restored.keyCount(), 0);
  await straight.close();
  await restored.close();
});

test('restoring one snapshot into 2 subtasks splits keys and timers by key group', async () => {
  const h = await OperatorHarness.forKeyedProcess(clicksPerMinute(), user);
  const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
  for (const u of users) h.processElement(u, 0);
  const snap = await h.snapshot();
  const fired: string[][] = [];
  for (let index = 0; index < 2; index++) {
    const part = await OperatorHarness.forKeyedProcess(clicksPerMinute(), user, {
      restoreFrom: [snap],
      subtask: { index, parallelism: 2 },
    });
    part.processWatermark(60_000);
    fired.push(part.output());
    const range = keyGroupRangeFor(index, 128, 2);
    for (const line of part.output()) {
      const group = keyGroupOf(line.split(':')[0], 128);
      assert.ok(group >= range.start && group <= range.end);
    }
    await part.close();
  }
  assert.deepEqual(fired.flat().sort(), users.map((u) => `${u}: 1 clicks`).sort());
  assert.ok(fired[0].length > 0 && fired[1].length > 0);
  await assert.rejects(
    OperatorHarness.forKeyedProcess(clicksPerMinute(), user, { restoreFrom: snap, maxParallelism: 64 }),
    (e) => isStreamError(e, 'ENG_HARNESS_MISUSE') && /maxParallelism: 128/.test(String(e)),
  );
  await h.close();
});
