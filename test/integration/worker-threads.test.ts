// Jobs on worker threads (ExecuteOptions.threads, what `eddy run` uses): a keyed window job gives the
// same output straight at parallelism 1 (one thread), at 2 and 3 (one worker thread per slot, keyed
// exchanges between threads), and when checkpointed at 2, cancelled, and restored at 3.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildJobFilePlan, type JobFilePlanArgs } from '../../src/cli/job-plan.ts';
import { JOB_WORKER_MODULE } from '../../src/cli/job-worker.ts';
import { serveTransactions } from '../../src/connectors/kafka/remote-transaction.ts';
import { startJob } from '../../src/index.ts';

const JOB = join(import.meta.dirname, 'fixtures', 'keyed-windows-job.ts');
const COUNT = 20_000;
let root: string;
let golden: string[];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-threads-'));
  golden = await run('golden', { parallelism: 1 });
  assert.ok(golden.length > 100, `the golden run wrote ${golden.length} windows`);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

interface RunOptions {
  readonly parallelism: number;
  readonly out?: string;
  readonly rate?: number;
  readonly stateDir?: string;
  readonly jobId?: string;
  readonly checkpointInterval?: number;
  /** Cancel once this many checkpoints completed. */
  readonly cancelAfterCheckpoints?: number;
  /** Stop with a savepoint into this directory once the job has emitted something. */
  readonly stopWithSavepointIn?: string;
  /** Start from this savepoint instead of the latest checkpoint. */
  readonly fromSavepoint?: string;
  /** Keyed state in lmdb under this directory. */
  readonly lmdb?: string;
}

/** Runs the job file on worker threads (parallelism above 1) and returns its committed lines, sorted. */
async function run(name: string, options: RunOptions): Promise<string[]> {
  const out = options.out ?? join(root, name);
  const flags: Record<string, string> = { out, count: String(COUNT) };
  if (options.rate !== undefined) flags.rate = String(options.rate);
  if (options.lmdb !== undefined) flags.lmdb = options.lmdb;
  const args: JobFilePlanArgs = {
    path: JOB,
    flags,
    parallelism: options.parallelism,
    checkpointInterval: options.checkpointInterval,
  };
  const job = startJob(await buildJobFilePlan(args), {
    jobId: options.jobId,
    stateDir: options.stateDir,
    restoreFrom:
      options.fromSavepoint !== undefined
        ? { path: options.fromSavepoint }
        : options.stateDir === undefined
          ? undefined
          : 'latest',
    threads: { setupModule: JOB_WORKER_MODULE, setupArgs: args, serve: serveTransactions },
  });
  if (options.cancelAfterCheckpoints !== undefined) {
    while (job.execution.metrics().checkpoints.completed < options.cancelAfterCheckpoints)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await job.cancel();
    assert.equal((await job.done).status, 'cancelled');
  } else if (options.stopWithSavepointIn !== undefined) {
    while (job.execution.metrics().operators.every((op) => op.recordsOut === 0))
      await new Promise((resolve) => setTimeout(resolve, 20));
    const path = await job.execution.stopWithSavepoint(options.stopWithSavepointIn);
    const result = await job.done;
    assert.equal(result.status, 'stopped');
    assert.equal(result.savepoint, path);
  } else assert.equal((await job.done).status, 'finished');
  return committedLines(out);
}

async function committedLines(dir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const name of await readdir(dir)) {
    if (name.startsWith('.')) continue; // in-progress or pending parts
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n'))
      if (line !== '') lines.push(line);
  }
  return lines.sort();
}

test('at parallelism 2 and 3 on worker threads the output equals the single-thread run', async () => {
  assert.deepEqual(await run('p2', { parallelism: 2 }), golden);
  assert.deepEqual(await run('p3', { parallelism: 3 }), golden);
  // lmdb's native environments open in each worker thread.
  assert.deepEqual(await run('p2-lmdb', { parallelism: 2, lmdb: join(root, 'lmdb') }), golden);
});

test('checkpointed at parallelism 2, cancelled and restored at 3, every window is written exactly once', async () => {
  const stateDir = join(root, 'state');
  const out = join(root, 'rescaled');
  const first = await run('rescaled', {
    parallelism: 2,
    out,
    rate: 8_000,
    stateDir,
    jobId: 'rescale',
    checkpointInterval: 200,
    cancelAfterCheckpoints: 2,
  });
  assert.ok(first.length < golden.length, 'the first run was cancelled part-way');
  const lines = await run('rescaled', {
    parallelism: 3,
    out,
    stateDir,
    jobId: 'rescale',
    checkpointInterval: 200,
  });
  assert.deepEqual(lines, golden);
});

/** Starts the job file on threads with extra flags and returns the error it fails with. */
async function failure(flags: Record<string, string>): Promise<Error & { code?: string }> {
  const args: JobFilePlanArgs = {
    path: JOB,
    flags: { out: join(root, `failing-${Object.keys(flags).join('-')}`), count: '1000', ...flags },
    parallelism: 2,
  };
  const job = startJob(await buildJobFilePlan(args), {
    threads: { setupModule: JOB_WORKER_MODULE, setupArgs: args, serve: serveTransactions },
  });
  return job.done.then(
    () => assert.fail('the job should have failed'),
    (error: Error & { code?: string }) => error,
  );
}

test('a user function failing in a worker thread fails the job with its operator, element and cause', async () => {
  const error = await failure({ 'fail-at': '77' });
  assert.equal(error.code, 'ENG_USER_FUNCTION_FAILED');
  assert.match(error.message, /check/);
  assert.match(error.message, /"i":77/);
  assert.match(error.message, /reading 77 is cursed/);
});

test('a worker thread that exits fails the job, naming its task slot', async () => {
  const error = await failure({ 'exit-at': '77' });
  assert.equal(error.code, 'ENG_INTERNAL');
  assert.match(error.message, /the worker thread of task slot 1 exited \(code 7\) before its subtasks ended/);
});

test('a job module that builds another plan in a worker thread is refused with what to fix', async () => {
  const args: JobFilePlanArgs = {
    path: JOB,
    flags: { out: join(root, 'unstable'), count: '100', unstable: 'true' },
    parallelism: 2,
  };
  const job = startJob(await buildJobFilePlan(args), {
    threads: { setupModule: JOB_WORKER_MODULE, setupArgs: args, serve: serveTransactions },
  });
  await assert.rejects(job.done, (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ENG_INVALID_JOB');
    assert.match(error.message, /built a different plan in the worker thread of task slot \d/);
    assert.match(error.message, /must build the same operators in the same order/);
    return true;
  });
});

test('stopped with a savepoint at parallelism 2 and resumed from it at 3, the output is the golden one', async () => {
  const out = join(root, 'savepointed');
  const savepoints = join(root, 'savepoints');
  const stateDir = join(root, 'state-savepoint');
  const first = await run('savepointed', {
    parallelism: 2,
    out,
    rate: 8_000,
    stateDir,
    jobId: 'savepointed',
    checkpointInterval: 200,
    stopWithSavepointIn: savepoints,
  });
  assert.ok(first.length < golden.length, 'the first run stopped part-way');
  const [savepoint] = await readdir(savepoints);
  assert.match(savepoint, /^savepoint-savepointed-\d+$/);
  const lines = await run('savepointed', {
    parallelism: 3,
    out,
    stateDir,
    jobId: 'savepointed',
    checkpointInterval: 200,
    fromSavepoint: join(savepoints, savepoint),
  });
  assert.deepEqual(lines, golden);
});

test('rebalance, broadcast and global exchanges cross threads: every record arrives as often as routed', async () => {
  const parallelism = 3;
  const count = 3_000;
  const out = join(root, 'exchanges');
  const args: JobFilePlanArgs = {
    path: join(import.meta.dirname, 'fixtures', 'exchanges-job.ts'),
    flags: { out, count: String(count) },
    parallelism,
  };
  const job = startJob(await buildJobFilePlan(args), {
    threads: { setupModule: JOB_WORKER_MODULE, setupArgs: args, serve: serveTransactions },
  });
  const result = await job.done;
  assert.equal(result.status, 'finished');
  // The map ran in all three slots (rebalance from the one source subtask), the filter's three
  // subtasks each saw every record (broadcast), and one subtask wrote them all (global).
  const perSubtask = (name: string) =>
    result.metrics.operators.filter((op) => op.name === name).map((op) => op.recordsIn);
  assert.deepEqual(
    perSubtask('double').map((n) => n > 0),
    [true, true, true],
  );
  assert.equal(
    perSubtask('double').reduce((a, b) => a + b),
    count,
  );
  assert.deepEqual(perSubtask('multiples of four'), [count, count, count]);
  assert.deepEqual(perSubtask('collect').slice(1), [0, 0]);
  const expected: string[] = [];
  for (let i = 0; i < count; i += 2)
    for (let copy = 0; copy < parallelism; copy++) expected.push(JSON.stringify({ n: 2 * i }));
  assert.deepEqual(await committedLines(out), expected.sort());
});
