// Golden pipelines through the real runtime (startJob, datagen source, collect or file sink, a state
// dir in a temp folder): an uninterrupted run is the golden answer, and runs stopped with a savepoint
// part-way and resumed — at the same or another parallelism, on another backend, with a changed plan —
// must give it back.
//
// The collect sink is not transactional. It still sees no duplicates across stop-with-savepoint: the
// sources emit nothing after the savepoint's barrier and the job stops without draining, so what the
// first run collected is exactly what the savepoint's state already accounts for. A savepoint taken
// without stopping (the job goes on) is the case where the records after the barrier are repeated by
// the resumed run; that test drops them explicitly. The file sink test is the exactly-once one: a
// crash after a checkpoint, restored from it, leaves each line committed exactly once.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileSink, type JobPlan } from '../../src/index.ts';
import { eventTimeWindows, keyedAggregation, type PipelineOptions } from './golden-pipelines.ts';
import { emittedAt, minus, runStepped, sorted } from './stepped-run.ts';

let root: string;
let runs = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-golden-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh job id, state dir and savepoint dir for each scenario. */
function scenario(name: string) {
  runs += 1;
  const dir = join(root, `${name}-${runs}`);
  return {
    jobId: `${name}-${runs}`,
    stateDir: join(dir, 'state'),
    savepointDir: join(dir, 'savepoints'),
    dir,
  };
}

const PIPELINES: readonly [string, (options: PipelineOptions) => JobPlan][] = [
  ['keyed aggregation', keyedAggregation],
  ['event-time windows', eventTimeWindows],
];
const CHECKPOINT_EVERY = 15;

for (const [name, build] of PIPELINES) {
  describe(name, () => {
    let golden: string[];
    before(async () => {
      const run = await runStepped({ build, parallelism: 1, ...scenario('golden') });
      assert.equal(run.result.status, 'finished');
      golden = sorted(run.out);
    });

    test('the golden run covers what the round trips must carry over', () => {
      const kinds = new Set(golden.map((line) => line.split('|')[0]));
      const expected =
        build === keyedAggregation
          ? ['seen', 'sum', 'timer']
          : ['late-session', 'late-tumble', 'session', 'tumble'];
      assert.deepEqual([...kinds].sort(), expected);
    });

    test('checkpointed, stopped with a savepoint part-way and resumed, it gives the golden output', async () => {
      const s = scenario('stop-resume');
      const first = await runStepped({
        build,
        parallelism: 1,
        checkpointEvery: CHECKPOINT_EVERY,
        stopAfter: 15,
        ...s,
      });
      assert.equal(first.result.status, 'stopped');
      assert.equal(first.result.savepoint, first.savepoint);
      assert.equal(await emittedAt(first.savepoint!), 151, 'the savepoint holds the source 15 steps in');
      assert.ok(first.out.length > 0 && first.out.length < golden.length);
      const second = await runStepped({
        build,
        parallelism: 1,
        checkpointEvery: CHECKPOINT_EVERY,
        from: first.emitted,
        restoreFrom: first.savepoint,
        ...s,
      });
      assert.equal(second.result.status, 'finished');
      assert.equal(second.result.restoredFrom?.kind, 'savepoint');
      assert.equal(second.result.restoredFrom?.path, first.savepoint);
      assert.deepEqual(sorted([...first.out, ...second.out]), golden);
    });

    for (const [p1, p2] of [
      [1, 3],
      [2, 1],
    ]) {
      test(`stopped at parallelism ${p1} and resumed at ${p2}, it gives the golden output`, async () => {
        const s = scenario(`rescale-${p1}-${p2}`);
        const first = await runStepped({
          build,
          parallelism: p1,
          checkpointEvery: CHECKPOINT_EVERY,
          stopAfter: 20,
          ...s,
        });
        const second = await runStepped({
          build,
          parallelism: p2,
          from: first.emitted,
          restoreFrom: first.savepoint,
          ...s,
        });
        assert.equal(second.result.status, 'finished');
        assert.deepEqual(sorted([...first.out, ...second.out]), golden);
      });
    }

    test('a savepoint on heap resumed on lmdb, and one from lmdb resumed on heap, give the golden output', async () => {
      const s = scenario('backends');
      const onHeap = await runStepped({ build, parallelism: 2, backend: 'heap', stopAfter: 12, ...s });
      const onLmdb = await runStepped({
        build,
        parallelism: 2,
        backend: 'lmdb',
        checkpointEvery: CHECKPOINT_EVERY,
        from: onHeap.emitted,
        restoreFrom: onHeap.savepoint,
        stopAfter: 12,
        ...s,
      });
      assert.equal(onLmdb.result.status, 'stopped');
      const backOnHeap = await runStepped({
        build,
        parallelism: 2,
        backend: 'heap',
        from: onLmdb.emitted,
        restoreFrom: onLmdb.savepoint,
        ...s,
      });
      assert.deepEqual(sorted([...onHeap.out, ...onLmdb.out, ...backOnHeap.out]), golden);
    });

    test('after a savepoint the job goes on; resumed from it, only the records after its barrier repeat', async () => {
      const s = scenario('savepoint-go-on');
      let savepoint = '';
      let beforeBarrier: string[] = [];
      const first = await runStepped({
        build,
        parallelism: 1,
        ...s,
        beforeStep: async (step, job, out) => {
          if (step !== 18) return;
          // The clock stands still, so nothing is emitted after the barrier until the next step.
          savepoint = await job.execution.triggerSavepoint(s.savepointDir);
          beforeBarrier = [...out];
        },
      });
      assert.deepEqual(sorted(first.out), golden, 'a savepoint does not change the output of the run');
      const second = await runStepped({
        build,
        parallelism: 1,
        from: await emittedAt(savepoint),
        restoreFrom: savepoint,
        ...s,
      });
      // collectSink is not transactional: the second run repeats exactly what followed the barrier.
      assert.deepEqual(sorted(second.out), minus(golden, beforeBarrier));
    });
  });
}

test('a plan without a stateful operator of the savepoint restores only with allowNonRestoredState', async () => {
  const golden = await runStepped({ build: keyedAggregation, parallelism: 1, ...scenario('golden-a') });
  const s = scenario('removed-operator');
  const first = await runStepped({ build: keyedAggregation, parallelism: 1, stopAfter: 10, ...s });
  const resume = {
    build: keyedAggregation,
    parallelism: 1,
    withoutRollingSum: true,
    from: first.emitted,
    restoreFrom: first.savepoint,
    ...s,
  };
  await assert.rejects(runStepped(resume), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ENG_RESTORE_FAILED');
    assert.match(error.message, /rolling-sum/);
    return true;
  });
  const second = await runStepped({ ...resume, allowNonRestoredState: true });
  const tallies = (lines: readonly string[]) => lines.filter((line) => !line.startsWith('sum|'));
  assert.deepEqual(sorted([...tallies(first.out), ...second.out]), sorted(tallies(golden.out)));
});

async function committedLines(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.'));
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
  return texts.flatMap((text) =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as string),
  );
}

test('exactly-once file sink: killed after a checkpoint and restored from it, each line is committed once', async () => {
  const golden = await runStepped({ build: eventTimeWindows, parallelism: 1, ...scenario('golden-b') });
  const s = scenario('file-sink');
  const out = join(s.dir, 'out');
  const sink = fileSink<string>({ path: out, format: 'jsonl' });
  let checkpointed: string[] = [];
  const crashed = runStepped({
    build: eventTimeWindows,
    parallelism: 2,
    checkpointEvery: 3_600_000, // only the checkpoint taken below
    sink,
    ...s,
    beforeStep: async (step, job) => {
      if (step === 10) {
        await job.execution.triggerCheckpoint();
        checkpointed = await committedLines(out);
      }
      if (step === 20) await job.cancel(); // like a kill: nothing after the checkpoint is committed
    },
  });
  await assert.rejects(crashed, /ended before/);
  assert.ok(checkpointed.length > 0 && checkpointed.length < golden.out.length, 'the checkpoint is part-way');
  assert.deepEqual(sorted(await committedLines(out)), sorted(checkpointed), 'uncommitted parts stay hidden');

  const latest = join(s.stateDir, s.jobId, 'checkpoints');
  const [checkpoint] = (await readdir(latest)).filter((name) => name.startsWith('chk-'));
  const restored = await runStepped({
    build: eventTimeWindows,
    parallelism: 3,
    checkpointEvery: 3_600_000,
    sink,
    from: await emittedAt(join(latest, checkpoint)),
    restoreFrom: 'latest',
    ...s,
  });
  assert.equal(restored.result.status, 'finished');
  assert.deepEqual(sorted(await committedLines(out)), sorted(golden.out));
});
