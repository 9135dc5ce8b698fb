import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_CHECKPOINTING, type JobConfig } from '../../plan/nodes.ts';
import { executeJob } from '../execute.ts';
import { MemoryConnectors } from '../testing-support/memory-connectors.ts';
import { keyed, PlanBuilder, REBALANCE } from '../testing-support/plan-builder.ts';
import type { CheckpointManifest } from './manifest.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-checkpoints-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Checkpointing on, but with an interval no test reaches: tests trigger checkpoints themselves. */
function manual(overrides: Partial<JobConfig['checkpointing']> = {}): Partial<JobConfig> {
  return { checkpointing: { ...DEFAULT_CHECKPOINTING, interval: 3_600_000, ...overrides } };
}

const sorted = (values: readonly unknown[]): string[] => values.map((v) => JSON.stringify(v)).sort();

test('a channel that delivered the barrier is not read until the other input delivers it too', async () => {
  const connectors = new MemoryConnectors();
  const a = connectors.source('a', { bounded: false, chunks: [{ values: ['a1'] }] });
  const b = connectors.source('b', { bounded: false, chunks: [{ values: ['b1'] }] });
  const out = connectors.transactionalSink('out');
  const plan = new PlanBuilder(manual());
  const both = plan.union('union', [plan.source('a', a.descriptor), plan.source('b', b.descriptor)]);
  plan.sink('out', both, out.descriptor);
  const job = executeJob(plan.plan(), { connectors, jobId: 'align', stateDir: root });
  await out.waitFor(2);

  await b.waitForPolls(2); // b returned b1 and is inside its next poll...
  b.hold(); // ...which now returns nothing until released
  const checkpoint = job.triggerCheckpoint();
  await a.waitForPositionSnapshots(1); // a injects its barrier...
  await a.waitForPolls(a.polls + 1); // ...and polls again
  a.push({ values: ['a2'] });
  await a.waitForPolls(a.polls + 1); // a2 is in the channel, behind the barrier
  await delay(50); // time enough for the union task to take a2 if it were allowed to
  assert.deepEqual(sorted(out.received), sorted(['a1', 'b1']));

  b.release();
  assert.equal(await checkpoint, 1);
  assert.deepEqual(sorted(out.prepares[0].receivedBefore), sorted(['a1', 'b1']));
  await out.waitFor(3);
  assert.deepEqual(sorted(out.committed), sorted(['a1', 'b1']), 'checkpoint 1 committed what came before it');

  a.end();
  b.end();
  assert.equal((await job.done).status, 'finished');
  assert.deepEqual(sorted(out.committed), sorted(['a1', 'b1', 'a2']));
});

test('a checkpoint writes a file per stateful operator subtask and a manifest; old ones are deleted', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { bounded: false });
  const out = connectors.transactionalSink('out');
  const plan = new PlanBuilder({ ...manual({ retained: 2 }), parallelism: 2 });
  const source = plan.source('numbers', numbers.descriptor, { parallelism: 1 });
  const sums = plan.add({
    kind: 'keyed-reduce',
    name: 'sum',
    uid: 'sum per key',
    fn: (x, y) => (x as number) + (y as number),
    inputs: [{ from: source, partitioning: keyed((x) => (x as number) % 2), port: 0 }],
  });
  plan.sink('out', sums, out.descriptor);
  const job = executeJob(plan.plan(), { connectors, jobId: 'files', stateDir: root });

  let sent = 0;
  for (const id of [1, 2, 3]) {
    numbers.push({ values: [1, 2, 3] });
    sent += 3;
    await out.waitFor(sent);
    assert.equal(await job.triggerCheckpoint(), id);
  }
  const dir = join(root, 'files', 'checkpoints');
  assert.deepEqual((await readdir(dir)).sort(), ['chk-2', 'chk-3'], 'retained: 2 deletes chk-1');
  const files = (await readdir(join(dir, 'chk-3'))).sort();
  assert.equal(files.length, 3);
  assert.equal(files[0], '_metadata.json');
  assert.match(files[1], /^sum_per_key-[0-9a-f]{8}-0\.snap$/);
  assert.match(files[2], /^sum_per_key-[0-9a-f]{8}-1\.snap$/);

  const manifest = JSON.parse(
    await readFile(join(dir, 'chk-3', '_metadata.json'), 'utf8'),
  ) as CheckpointManifest;
  assert.equal(manifest.jobId, 'files');
  assert.equal(manifest.checkpointId, 3);
  assert.equal(manifest.state, 'completed');
  assert.equal(manifest.maxParallelism, 128);
  assert.match(manifest.fingerprint, /^[0-9a-f]{64}$/);
  assert.deepEqual(
    manifest.operators.map((op) => [op.uid, op.kind, op.parallelism]),
    [
      ['source-0', 'source', 1],
      ['sum per key', 'keyed-reduce', 2],
      ['sink-2', 'sink', 2],
    ],
  );
  assert.deepEqual(manifest.operators[0].subtasks, [
    { subtask: 0, positions: [{ split: 'memory-0', position: 3 }] },
  ]);
  assert.deepEqual(
    manifest.operators[1].subtasks.map((s) => s.file),
    files.slice(1),
  );
  assert.equal(manifest.operators[2].subtasks.length, 2);
  assert.ok(manifest.operators[2].subtasks.every((s) => s.prepared !== undefined));
  assert.deepEqual(
    out.commits.filter((c) => c.checkpointId === 3).map((c) => c.positions),
    [
      [{ sourceName: 'numbers', positions: [{ split: 'memory-0', position: 3 }] }],
      [{ sourceName: 'numbers', positions: [{ split: 'memory-0', position: 3 }] }],
    ],
  );
  assert.deepEqual(job.metrics().checkpoints, { completed: 3, failed: 0, latest: 3 });

  numbers.end();
  await job.done;
});

test('a job whose sources have all finished cannot take a savepoint, and says why', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { chunks: [{ values: [1] }] });
  const out = connectors.sink('out');
  const plan = new PlanBuilder();
  plan.sink('out', plan.source('numbers', numbers.descriptor), out.descriptor, { partitioning: REBALANCE });
  out.pause(); // the sink task holds the job open after the source has finished
  const job = executeJob(plan.plan(), { connectors });
  await out.waitFor(1);
  await numbers.waitForPolls(2); // the reader returned null: the source has finished
  await assert.rejects(job.triggerSavepoint(root), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ENG_CHECKPOINT_UNAVAILABLE');
    assert.match(error.message, /sources are all finished can no longer checkpoint/);
    return true;
  });
  out.resume();
  await job.done;
});

test('a checkpoint that cannot complete in time is aborted and its files deleted; the job goes on', async (t) => {
  const connectors = new MemoryConnectors();
  const a = connectors.source('a', { bounded: false, chunks: [{ values: ['a1'] }] });
  const b = connectors.source('b', { bounded: false, chunks: [{ values: ['b1'] }] });
  const out = connectors.transactionalSink('out');
  const plan = new PlanBuilder(manual({ timeout: 1_000 }));
  const both = plan.union('union', [plan.source('a', a.descriptor), plan.source('b', b.descriptor)]);
  plan.sink('out', both, out.descriptor);
  // A held barrier fails the first checkpoint whatever the timeout; 1 s leaves the second one room to
  // complete on a loaded machine (50 ms did not, and the job then kept the test process alive).
  const job = executeJob(plan.plan(), { connectors, jobId: 'timeout', stateDir: root });
  t.after(async () => {
    await job.cancel();
    await job.done.catch(() => undefined);
  });
  await out.waitFor(2);
  await b.waitForPolls(2);
  b.hold(); // b never injects its barrier

  await assert.rejects(job.triggerCheckpoint(), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ENG_CHECKPOINT_FAILED');
    assert.match(error.message, /did not complete within 1000 ms/);
    return true;
  });
  assert.deepEqual(job.metrics().checkpoints, { completed: 0, failed: 1 });
  b.release();
  assert.equal(await job.triggerCheckpoint(), 2, 'the next one completes');
  assert.deepEqual(await readdir(join(root, 'timeout', 'checkpoints')), ['chk-2']);
  a.end();
  b.end();
  assert.equal((await job.done).status, 'finished');
});

test('a sink that cannot commit a checkpoint fails the job', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { bounded: false, chunks: [{ values: [1] }] });
  const out = connectors.transactionalSink('out');
  const plan = new PlanBuilder({ ...manual(), restartStrategy: { kind: 'none' } });
  plan.sink('out', plan.source('numbers', numbers.descriptor), out.descriptor);
  const job = executeJob(plan.plan(), { connectors, jobId: 'commit-fails', stateDir: root });
  await out.waitFor(1);
  out.failCommits = true;
  await assert.rejects(
    job.triggerCheckpoint(),
    (error: Error & { code?: string }) => error.code === 'ENG_SINK_COMMIT_FAILED',
  );
  await assert.rejects(job.done, (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ENG_SINK_COMMIT_FAILED');
    assert.match(error.message, /commit of checkpoint 1 refused/);
    return true;
  });
});

test('periodic checkpoints complete one after another while the job runs', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { bounded: false, chunks: [{ values: [1] }] });
  const out = connectors.transactionalSink('out');
  const plan = new PlanBuilder({ checkpointing: { ...DEFAULT_CHECKPOINTING, interval: 10 } });
  plan.sink('out', plan.source('numbers', numbers.descriptor), out.descriptor);
  const job = executeJob(plan.plan(), { connectors, jobId: 'periodic', stateDir: root });
  try {
    while (job.metrics().checkpoints.completed < 3) await delay(10);
    assert.deepEqual(out.committed, [1]);
  } finally {
    numbers.end();
    await job.done;
  }
  // retained: 1; a checkpoint the end of the job cut short is deleted too.
  assert.equal((await readdir(join(root, 'periodic', 'checkpoints'))).length, 1);
});

test('publishCheckpoint sees the written checkpoint before any sink commits it; its failure fails the checkpoint', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { bounded: false });
  const out = connectors.transactionalSink('out');
  const plan = new PlanBuilder(manual());
  plan.sink('out', plan.source('numbers', numbers.descriptor), out.descriptor);
  const published: { id: number; files: string[]; committedBefore: number }[] = [];
  let refuse = false;
  const job = executeJob(plan.plan(), {
    connectors,
    jobId: 'published',
    stateDir: root,
    publishCheckpoint: async (id, dir) => {
      published.push({ id, files: await readdir(dir), committedBefore: out.committed.length });
      if (refuse) throw new Error('the checkpoint topic is gone');
    },
  });
  numbers.push({ values: [1, 2] });
  await out.waitFor(2);
  assert.equal(await job.triggerCheckpoint(), 1);
  assert.deepEqual(published, [{ id: 1, files: ['_metadata.json'], committedBefore: 0 }]);
  assert.deepEqual(sorted(out.committed), sorted([1, 2]));

  refuse = true;
  numbers.push({ values: [3] });
  await out.waitFor(3);
  await assert.rejects(
    job.triggerCheckpoint(),
    /could not be published: Error: the checkpoint topic is gone/,
  );
  assert.deepEqual(sorted(out.committed), sorted([1, 2]), 'checkpoint 2 was not committed');
  // The failed checkpoint's files go (asynchronously, after the trigger rejected).
  const checkpoints = join(root, 'published', 'checkpoints');
  while ((await readdir(checkpoints)).length > 1) await delay(10);
  assert.deepEqual(await readdir(checkpoints), ['chk-1']);
  refuse = false;
  assert.equal(await job.triggerCheckpoint(), 3);
  assert.deepEqual(sorted(out.committed), sorted([1, 2, 3]));
  numbers.end();
  assert.equal((await job.done).status, 'finished');
});

test('subtasks: only the named subtask indexes run; a plan whose channel would leave them fails', async () => {
  const connectors = new MemoryConnectors();
  const chunks = ['s0', 's1', 's2'].map((split, i) => ({ split, values: [i + 1] }));
  const numbers = connectors.source('numbers', { bounded: true, chunks });
  const out = connectors.sink('out');
  const plan = new PlanBuilder({ parallelism: 3 });
  const tenfold = plan.map('x10', plan.source('numbers', numbers.descriptor), (x) => (x as number) * 10);
  plan.sink('out', tenfold, out.descriptor);
  const job = executeJob(plan.plan(), { connectors, jobId: 'only-1', subtasks: [1] });
  assert.equal((await job.done).status, 'finished');
  assert.equal(numbers.opened, 1, 'one source subtask ran');
  assert.deepEqual(
    out.records.map((r) => [r.value, r.subtask]),
    [[20, 1]],
    'subtask 1 read split s1 only',
  );

  const spread = new PlanBuilder({ parallelism: 2 });
  const source = spread.source('numbers', connectors.source('n2', { bounded: true }).descriptor);
  spread.sink(
    'out',
    spread.map('m', { from: source, partitioning: REBALANCE }, (x) => x),
    out.descriptor,
  );
  await assert.rejects(
    executeJob(spread.plan(), { connectors, jobId: 'only-0', subtasks: [0] }).done,
    /a channel would leave the subtasks this process runs/,
  );
});

test('a checkpoint whose job is cancelled before its commit does not complete, and nothing commits', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { bounded: false });
  const out = connectors.transactionalSink('out');
  const plan = new PlanBuilder(manual());
  plan.sink('out', plan.source('numbers', numbers.descriptor), out.descriptor);
  let release = (): void => {};
  const published = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached = (): void => {};
  const atPublish = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const job = executeJob(plan.plan(), {
    connectors,
    jobId: 'cancelled-mid-checkpoint',
    stateDir: root,
    publishCheckpoint: async () => {
      reached();
      await published;
    },
  });
  numbers.push({ values: [1, 2] });
  await out.waitFor(2);
  const checkpoint = job.triggerCheckpoint();
  checkpoint.catch(() => {});
  await atPublish; // every subtask acknowledged; the sinks are about to be asked to commit...
  const cancelled = job.cancel(); // ...when the job is cancelled and its sinks close
  release();
  await assert.rejects(checkpoint, /the job stopped before the checkpoint committed/);
  await cancelled;
  assert.deepEqual(out.committed, [], 'the sink committed nothing');
  assert.equal((await job.done).metrics.checkpoints.completed, 0);
});
