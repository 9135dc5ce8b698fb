// A slow sink must slow the source down: bounded channels, not growing queues. The generator here
// could produce millions of events per second; the sink takes 2 ms per batch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createEnvironment,
  datagenSource,
  functionSink,
  startJob,
  WatermarkStrategy,
} from '../../src/index.ts';

test('a sleeping sink keeps the gap to the source and the heap bounded', async () => {
  const batchSize = 256;
  const channelCapacity = 4;
  let generated = 0;
  let written = 0;
  let maxGap = 0;
  let maxHeap = 0;
  const payload = 'x'.repeat(200);
  const env = createEnvironment({ jobName: 'backpressure', batchSize, channelCapacity });
  env
    .fromSource(
      datagenSource({
        generate: (i) => {
          generated++;
          return { i, payload };
        },
      }),
      WatermarkStrategy.noWatermarks<{ i: number; payload: string }>(),
      'fast generator',
    )
    .map((e) => ({ ...e, seen: true }))
    // A rebalance puts a channel (an exchange) between source and sink, as a real job would have.
    .rebalance()
    .filter((e) => e.seen)
    .sinkTo(
      functionSink<{ i: number }>({
        write: async (values) => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          written += values.length;
          maxGap = Math.max(maxGap, generated - written);
          maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
        },
      }),
    );
  const heapBefore = process.memoryUsage().heapUsed;
  const job = startJob(env.toPlan());
  while (written < 60_000) await new Promise((resolve) => setTimeout(resolve, 20));
  await job.cancel();
  const result = await job.done;
  assert.equal(result.status, 'cancelled');
  // In flight at most: the channel's batches, one batch in each task's hands and the source's current
  // batch. Unbounded buffering would put hundreds of thousands here.
  const bound = (channelCapacity + 4) * batchSize;
  assert.ok(maxGap <= bound, `source ran ${maxGap} events ahead of the sink (bound ${bound})`);
  assert.ok(maxHeap - heapBefore < 64 * 1024 * 1024, `heap grew by ${(maxHeap - heapBefore) / 2 ** 20} MiB`);
});
