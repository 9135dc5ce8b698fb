import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyedProcessFunction } from '../plan/functions.ts';
import { executeJob } from './execute.ts';
import { MemoryConnectors } from './testing-support/memory-connectors.ts';
import { keyed, PlanBuilder } from './testing-support/plan-builder.ts';

// A keyed process function with event-time timers shows the final watermark: its timers lie beyond
// every regular watermark, so only MAX_TIMESTAMP at end of input can fire them.
const remindLater: KeyedProcessFunction<unknown, unknown, unknown> = {
  processElement(_value, ctx) {
    ctx.timerService.registerEventTimeTimer(ctx.timestamp + 1);
  },
  onTimer(timestamp, ctx, out) {
    out.collect(`${String(ctx.key)}@${timestamp}`);
  },
};

for (const parallelism of [1, 3]) {
  test(`a bounded job ends with the final watermark, then flushes and closes (parallelism ${parallelism})`, async () => {
    const connectors = new MemoryConnectors();
    const events = connectors.source('events', {
      chunks: [
        { split: 'a', values: ['x', 'y'], timestamps: [10, 20] },
        { split: 'b', values: ['z'], timestamps: [30] },
      ],
    });
    const out = connectors.sink('out');
    const b = new PlanBuilder({ parallelism });
    const source = b.source('events', events.descriptor, {
      watermarks: { kind: 'bounded-out-of-orderness', maxOutOfOrderness: 1_000 },
    });
    const reminders = b.add({
      kind: 'keyed-process',
      name: 'remind',
      fn: remindLater,
      inputs: [{ from: source, partitioning: keyed((value) => value), port: 0 }],
    });
    b.sink('out', reminders, out.descriptor);

    const result = await executeJob(b.plan(), { connectors }).done;

    assert.equal(result.status, 'finished');
    assert.deepEqual((out.values as string[]).sort(), ['x@11', 'y@21', 'z@31']);
    assert.equal(out.flushed, parallelism);
    assert.equal(
      out.writtenBeforeFlush.reduce((sum, n) => sum + n, 0),
      3,
      'every sink subtask flushed after the final watermark fired its timers',
    );
    assert.equal(out.closed, parallelism);
  });
}
