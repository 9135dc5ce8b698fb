import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEnvironment, WatermarkStrategy } from '../../src/api/index.ts';
import { functionSink, iterableSource } from '../../src/connectors/index.ts';
import { connectorResolver } from '../../src/connectors/registry.ts';
import { stateFilesOf } from '../../src/engine/checkpoint/manifest.ts';
import { listCheckpoints } from '../../src/engine/checkpoint/storage.ts';
import { executeJob } from '../../src/engine/execute.ts';
import type { KeyedProcessFunction, ValueState } from '../../src/plan/index.ts';
import { openSnapshotReader } from '../../src/state/snapshot-file.ts';

const KEYS = 5_000;

/** Yields `phases` one after another, waiting for `next()` between them. */
function phased(phases: readonly (readonly [number, number][])[]) {
  const gates = phases.map(() => Promise.withResolvers<void>());
  let released = 0;
  async function* records() {
    for (let i = 0; i < phases.length; i++) {
      await gates[i].promise;
      yield* phases[i];
    }
  }
  return { records: records(), next: () => gates[released++]?.resolve() };
}

test('lmdb checkpoints after the first hold only changed keys, chained to their base; retention keeps the base', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'eddy-incremental-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const first = Array.from({ length: KEYS }, (_, k) => [k, 1] as [number, number]);
  const changed = Array.from({ length: 50 }, (_, i) => [i * 7, 100 + i] as [number, number]);
  // A third phase that never comes keeps the job running for the second checkpoint.
  const input = phased([first, changed, []]);
  let seen = 0;
  const keep: KeyedProcessFunction<number, [number, number], number> = {
    open(this: { last?: ValueState<number> }, ctx) {
      this.last = ctx.state.getState({ kind: 'value', name: 'last' });
    },
    processElement(this: { last: ValueState<number> }, [, value], _ctx, out) {
      this.last.update(value);
      out.collect(value);
    },
  };
  const env = createEnvironment({ jobName: 'incremental', stateBackend: { kind: 'lmdb' } });
  env.enableCheckpointing(3_600_000, { retained: 1 });
  env
    .fromSource(iterableSource(input.records), WatermarkStrategy.noWatermarks<[number, number]>(), 'updates')
    .keyBy(([k]) => k)
    .process(keep)
    .uid('keep')
    .sinkTo(
      functionSink<number>({
        write: (values) => {
          seen += values.length;
        },
      }),
    );
  const job = executeJob(env.toPlan(), { connectors: connectorResolver, jobId: 'inc', stateDir });
  const until = async (count: number) => {
    while (seen < count) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  try {
    await job.started;
    input.next();
    await until(KEYS);
    await job.triggerCheckpoint();
    input.next();
    await until(KEYS + changed.length);
    await job.triggerCheckpoint();

    const checkpoints = (await listCheckpoints(stateDir, 'inc')).filter(
      (c) => c.manifest?.state === 'completed',
    );
    const [full, delta] = checkpoints.slice(-2).map((c) => ({
      dir: c.dir,
      entry: c.manifest!.operators.find((op) => op.uid === 'keep')!.subtasks[0]!,
    }));
    assert.equal(full.entry.baseFiles, undefined, 'the first checkpoint is complete');
    assert.equal(delta.entry.baseFiles?.length, 1, 'the second builds on the first');
    assert.ok(
      (delta.entry.bytes ?? 0) * 10 < (full.entry.bytes ?? 0),
      `delta ${delta.entry.bytes} B vs full ${full.entry.bytes} B: only the changed keys`,
    );
    // retained: 1, yet the base stays because the retained checkpoint needs it.
    assert.ok(existsSync(full.dir));

    const reader = await openSnapshotReader(
      stateFilesOf(delta.entry).map((f) => join(delta.dir, f)),
      { keyGroups: { start: 0, end: 127 }, subtaskIndex: 0, parallelism: 1 },
    );
    const restored = new Map<unknown, unknown>();
    for (const { entry } of reader.keyedEntries())
      if (entry.state === 'last') restored.set(entry.key, entry.value);
    assert.equal(restored.size, KEYS);
    for (const [k, v] of changed) assert.equal(restored.get(k), v);
    assert.equal(restored.get(1), 1);
  } finally {
    await job.cancel();
    await job.done.catch(() => undefined);
  }
});
