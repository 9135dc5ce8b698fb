// A source that always had data ran the whole job in microtasks: timers, file writes and periodic
// checkpoints waited until its input ended (an unbounded one: forever).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createEnvironment,
  datagenSource,
  discardSink,
  startJob,
  WatermarkStrategy,
} from '../../src/index.ts';

test('timers run while an unthrottled source is busy', async () => {
  const env = createEnvironment({ jobName: 'busy-source' });
  env
    .fromSource(
      datagenSource({ generate: (i) => i, count: 3_000_000 }),
      WatermarkStrategy.noWatermarks<number>(),
      'gen',
    )
    .map((i) => i + 1)
    .sinkTo(discardSink());
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  let endedAt = 0;
  const startedAt = performance.now();
  try {
    await startJob(env.toPlan()).done;
    endedAt = performance.now();
  } finally {
    clearInterval(timer);
  }
  // Millions of records take tens of milliseconds at least; the 1 ms timer must have run meanwhile.
  assert.ok(endedAt - startedAt > 5, 'the job ran long enough to need the event loop');
  assert.ok(ticks > 0, `a 1 ms interval never fired during a ${Math.round(endedAt - startedAt)} ms job`);
});
