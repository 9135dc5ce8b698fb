// The clickstream example split into tasks (splitAtKeyedEdges) and run as a scaled-out job whose one
// process owns all four tasks: its keyed windows read their clicks back from the job's repartition
// topics, with watermarks carried as control records, every task in its own Kafka transaction. What a
// read_committed reader sees must equal DuckDB's answer, as the unsplit job's output does
// (clickstream-rescale.test.ts); then the job is cancelled part-way and started again, and each task
// must go on from its own committed checkpoint, fetched from the job's checkpoint topic into a new state
// directory.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildJobFilePlan } from '../../src/cli/job-plan.ts';
import { createLogger } from '../../src/common/logging.ts';
import { seededRandom } from '../../src/common/random.ts';
import { type ScaledOutJob, startScaledOutJob } from '../../src/job/scale-out/scaled-out-job.ts';
import { listTopics, withAdmin } from '../../src/kafka/admin.ts';
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
const JOB_ID = 'clicks-staged';
const logger = createLogger({ level: (process.env.EDDY_TEST_LOG_LEVEL ?? 'silent') as 'silent' });

let broker: TestBroker | undefined;
let stateDir: string | undefined;
const started: ScaledOutJob[] = [];

after(async () => {
  for (const job of started) await job.cancel().catch(() => undefined);
  await broker?.stop();
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
});

async function start(bootstrap: string, dir: string, run = 'staged', tasks?: number): Promise<ScaledOutJob> {
  const plan = await buildJobFilePlan({
    path: JOB,
    flags: outputFlags(run),
    bootstrap,
    checkpointInterval: 200,
  });
  const jobId = run === 'staged' ? JOB_ID : `clicks-${run}`;
  const job = await startScaledOutJob(plan, {
    jobId,
    bootstrap,
    stateDir: dir,
    logger,
    ...(tasks === undefined ? {} : { tasks }),
  });
  started.push(job);
  return job;
}

async function until(ready: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('clickstream as four tasks meeting through repartition topics equals DuckDB, across a restart', {
  skip: kcatMissing() ?? false,
  timeout: 150_000,
}, async () => {
  broker = await startTestBroker();
  stateDir = await mkdtemp(join(tmpdir(), 'eddy-staged-'));
  const { bootstrap } = broker;
  await makeTopic(bootstrap, 'website-clicks', PARTITIONS);
  for (const topic of Object.values(outputFlags('staged'))) await makeTopic(bootstrap, topic, 1);
  const input = clickInput(seededRandom(20261123), 300);
  const expected = await expectedOutput(input);
  assert.ok(input.finalWatermark % 60_000 > 1_000, 'the final watermark is inside a minute');

  const first = await start(bootstrap, stateDir);
  assert.equal(first.tasks, PARTITIONS, 'the task count defaults to the input partitions');
  assert.ok(
    await until(() => first.owned().length === PARTITIONS, 30_000),
    'the one process owns every task',
  );
  const topics = await withAdmin({ bootstrap }, (admin) => listTopics(admin));
  assert.ok(topics.includes(`${JOB_ID}-repartition-0`) && topics.includes(`${JOB_ID}-repartition-1`));

  const [chunk0, chunk1, chunk2] = input.phase1;
  await produce(bootstrap, 'website-clicks', chunk0 ?? []);
  await produce(bootstrap, 'website-clicks', chunk1 ?? []);
  let partial: RunOutput = await readOutput(bootstrap, 'staged');
  assert.ok(
    await until(async () => {
      partial = await readOutput(bootstrap, 'staged');
      return partial.views.length > 0;
    }, 60_000),
    'windows closed by the first chunks were committed',
  );
  await first.cancel();
  await first.done;
  // Every task keeps its checkpoints apart, under its own job id.
  const dirs = (await readdir(stateDir)).filter((name) => name.startsWith(`${JOB_ID}.task-`)).sort();
  assert.deepEqual(
    dirs,
    Array.from({ length: PARTITIONS }, (_, i) => `${JOB_ID}.task-${i}`),
  );

  await produce(bootstrap, 'website-clicks', chunk2 ?? []);
  await produce(bootstrap, 'website-clicks', [...input.phase2]);
  // Started again with an empty state directory (as another machine would be): every task fetches its
  // committed checkpoint from the job's checkpoint topic.
  const elsewhere = join(stateDir, 'elsewhere');
  const second = await start(bootstrap, elsewhere);
  let output = partial;
  await until(async () => {
    output = await readOutput(bootstrap, 'staged');
    return (
      output.views.length >= expected.views.length &&
      output.users.length >= expected.users.length &&
      output.dead.length >= expected.dead.length
    );
  }, 90_000);
  assert.deepEqual(output.views, expected.views, 'page views per minute equal DuckDB’s');
  assert.deepEqual(output.users, expected.users, 'user metrics per minute equal DuckDB’s');
  assert.deepEqual(output.late, [], 'no click is late');
  assert.deepEqual(output.dead, expected.dead, 'every bad record is a dead letter, once');
  const fetched = (await readdir(elsewhere)).filter((name) => name.startsWith(`${JOB_ID}.task-`));
  assert.equal(fetched.length, PARTITIONS, 'each task went on in the new state directory');
  await second.cancel();
  await second.done;
});

test('more tasks than input partitions: the tasks without input go idle and hold back no window', {
  skip: kcatMissing() ?? false,
  timeout: 120_000,
}, async () => {
  assert.ok(broker !== undefined && stateDir !== undefined, 'runs after the test above');
  const { bootstrap } = broker;
  for (const topic of Object.values(outputFlags('wide'))) await makeTopic(bootstrap, topic, 1);
  // The input of the test above is all on website-clicks already.
  const input = clickInput(seededRandom(20261123), 300);
  const expected = await expectedOutput(input);
  const job = await start(bootstrap, join(stateDir, 'wide'), 'wide', PARTITIONS + 2);
  assert.equal(job.tasks, PARTITIONS + 2);
  let output: RunOutput = await readOutput(bootstrap, 'wide');
  await until(async () => {
    output = await readOutput(bootstrap, 'wide');
    return output.views.length >= expected.views.length && output.users.length >= expected.users.length;
  }, 60_000);
  assert.deepEqual(output.views, expected.views, 'page views per minute equal DuckDB’s');
  assert.deepEqual(output.users, expected.users, 'user metrics per minute equal DuckDB’s');
  await job.cancel();
  await job.done;
});
