// The clickstream example three ways, as Arroyo runs its SQL tests: (a) straight at parallelism 1;
// (b) at parallelism 2 with checkpoints, cancelled part-way while its input is still arriving; (c)
// restored from (b)'s checkpoint at parallelism 3 (keyed window state split over other key-group
// ranges, the 4 input partitions over other subtasks). What a read_committed reader sees of (a), and of
// (b) and (c) together, must both equal DuckDB's answer: a lost or repeated window, a click counted
// twice or not at all, shows up as a difference.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runJobFile } from '../../src/cli/run-job-file.ts';
import { createLogger } from '../../src/common/logging.ts';
import { seededRandom } from '../../src/common/random.ts';
import type { RunningJob } from '../../src/job/index.ts';
import { kcatMissing } from '../compat/kcat/kcat.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import {
  clickInput,
  expectedOutput,
  outputFlags,
  PARTITIONS,
  type RunOutput,
  readOutput,
} from './clickstream-rescale-input.ts';
import { makeTopic, produce } from './connector-kafka-helpers.ts';

const JOB = join(import.meta.dirname, '../../examples/clickstream/job.ts');
const JOB_ID = 'clicks-rescale';
const silent = createLogger({ level: 'silent' });

let broker: TestBroker | undefined;
let stateDir: string | undefined;
const started: RunningJob[] = [];

after(async () => {
  for (const job of started) {
    await job.cancel();
    await job.done.catch(() => undefined);
  }
  await broker?.stop();
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
});

/** `eddy run examples/clickstream/job.ts` against the test broker; checkpointed when given a state dir. */
async function start(run: string, parallelism: number, checkpointsIn?: string): Promise<RunningJob> {
  assert.ok(broker !== undefined, 'the test broker runs');
  const job = await runJobFile({
    path: JOB,
    flags: outputFlags(run),
    parallelism,
    jobId: checkpointsIn === undefined ? undefined : JOB_ID,
    bootstrap: broker.bootstrap,
    // Unused: the job runs against the test broker (bootstrap above).
    embeddedBroker: { dataDir: '' },
    logger: silent,
    checkpoints:
      checkpointsIn === undefined ? undefined : { stateDir: checkpointsIn, checkpointInterval: 200 },
  });
  started.push(job);
  return job;
}

/** Polls until `ready` holds; false when `timeoutMs` passed first (the assertions then say what differs). */
async function until(ready: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A run's committed output once it holds as many rows as expected (or the deadline passed). */
async function outputOf(bootstrap: string, run: string, expected: RunOutput): Promise<RunOutput> {
  let output = await readOutput(bootstrap, run);
  await until(async () => {
    output = await readOutput(bootstrap, run);
    return (
      output.views.length >= expected.views.length &&
      output.users.length >= expected.users.length &&
      output.dead.length >= expected.dead.length
    );
  }, 60_000);
  return output;
}

function assertSameOutput(actual: RunOutput, expected: RunOutput, run: string): void {
  assert.deepEqual(actual.views, expected.views, `${run}: page views per minute equal DuckDB's`);
  assert.deepEqual(actual.users, expected.users, `${run}: user metrics per minute equal DuckDB's`);
  assert.deepEqual(actual.late, [], `${run}: no click is late`);
  assert.deepEqual(actual.dead, expected.dead, `${run}: every bad record is a dead letter, once`);
}

/** Every line of `part` is in `whole` (as often), and `part` is shorter. */
function assertStrictSubset(part: readonly string[], whole: readonly string[], what: string): void {
  const left = [...whole];
  for (const line of part) {
    const at = left.indexOf(line);
    assert.ok(at >= 0, `${what}: ${line} was committed before the restore but is not in the answer`);
    left.splice(at, 1);
  }
  assert.ok(left.length > 0, `${what}: the cancelled run had already written everything`);
}

test('clickstream: straight at p=1 and checkpointed at p=2 then restored at p=3 both equal DuckDB', {
  skip: kcatMissing() ?? false,
  timeout: 120_000,
}, async () => {
  broker = await startTestBroker();
  stateDir = await mkdtemp(join(tmpdir(), 'eddy-rescale-'));
  const { bootstrap } = broker;
  await makeTopic(bootstrap, 'website-clicks', PARTITIONS);
  for (const run of ['straight', 'rescaled'])
    for (const topic of Object.values(outputFlags(run))) await makeTopic(bootstrap, topic, 1);
  const input = clickInput(seededRandom(20261122), 400);
  const expected = await expectedOutput(input);
  // Away from a window's end, so whether a window at the very edge fires cannot depend on off-by-one
  // conventions of the watermark (max - bound, or max - bound - 1).
  assert.ok(input.finalWatermark % 60_000 > 1_000, 'the final watermark is inside a minute');
  assert.ok(expected.views.length > 50 && expected.users.length > 100, 'the answer has enough windows');

  // (b) Parallelism 2, checkpoints every 200 ms. Phase 1 arrives in chunks, the next one once another
  // checkpoint completed; the run is cancelled after its second one, with input still coming.
  const first = await start('rescaled', 2, stateDir);
  const checkpoints = () => first.execution.metrics().checkpoints.completed;
  const [chunk0, chunk1, chunk2] = input.phase1;
  await produce(bootstrap, 'website-clicks', chunk0 ?? []);
  assert.ok(await until(() => checkpoints() >= 1, 30_000), 'the p=2 run completed a checkpoint');
  await produce(bootstrap, 'website-clicks', chunk1 ?? []);
  assert.ok(await until(() => checkpoints() >= 2, 30_000), 'the p=2 run completed a second checkpoint');
  await produce(bootstrap, 'website-clicks', chunk2 ?? []);
  await first.cancel();
  const cancelled = await first.done;
  assert.equal(cancelled.status, 'cancelled');
  const lastCheckpoint = cancelled.metrics.checkpoints.latest;
  assert.ok(lastCheckpoint !== undefined && lastCheckpoint >= 2, `latest checkpoint ${lastCheckpoint}`);
  const partial = await readOutput(bootstrap, 'rescaled');

  // Phase 2, then (c) restored at parallelism 3 and (a) straight at parallelism 1 over all the input.
  await produce(bootstrap, 'website-clicks', [...input.phase2]);
  const restored = await start('rescaled', 3, stateDir);
  const straight = await start('straight', 1);

  const straightOutput = await outputOf(bootstrap, 'straight', expected);
  const rescaledOutput = await outputOf(bootstrap, 'rescaled', expected);
  assertSameOutput(straightOutput, expected, '(a) parallelism 1');
  assertSameOutput(rescaledOutput, expected, '(b)+(c) parallelism 2, restored at 3');

  const from = restored.execution.restoredFrom;
  assert.ok(from !== undefined, 'the p=3 run restored a checkpoint');
  assert.equal(from.kind, 'checkpoint');
  assert.ok(from.checkpointId >= lastCheckpoint, `restored ${from.checkpointId}, last ${lastCheckpoint}`);
  assert.equal(straight.execution.restoredFrom, undefined);
  assertStrictSubset(partial.views, expected.views, 'page views');
  assertStrictSubset(partial.users, expected.users, 'user metrics');

  for (const job of [restored, straight]) {
    await job.cancel();
    assert.equal((await job.done).status, 'cancelled');
  }
});
