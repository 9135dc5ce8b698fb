import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { DEFAULT_CHECKPOINTING, type JobConfig, type RestartStrategyConfig } from '../../plan/nodes.ts';
import { executeJob } from '../execute.ts';
import { MemoryConnectors } from '../testing-support/memory-connectors.ts';
import { keyed, PlanBuilder } from '../testing-support/plan-builder.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-recovery-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const sorted = (values: readonly unknown[]): string[] => values.map((v) => JSON.stringify(v)).sort();

interface Word {
  readonly word: string;
  readonly n: number;
}

/** numbers → (fail?) map → keyed rolling count per word (uid 'counts') → transactional sink. */
function countingJob(options: {
  connectors: MemoryConnectors;
  parallelism?: number;
  withCounts?: boolean;
  fail?: (word: string) => boolean;
  restart?: RestartStrategyConfig;
}) {
  const config: Partial<JobConfig> = {
    checkpointing: { ...DEFAULT_CHECKPOINTING, interval: 3_600_000 },
    ...(options.restart === undefined ? {} : { restartStrategy: options.restart }),
  };
  const plan = new PlanBuilder(config);
  const source = plan.source('words', options.connectors.sources.get('words')!.descriptor);
  const checked = plan.map('check', source, (word) => {
    if (options.fail?.(word as string)) throw new Error(`refusing ${String(word)}`);
    return { word, n: 1 };
  });
  let last = checked;
  if (options.withCounts !== false)
    last = plan.add({
      kind: 'keyed-reduce',
      name: 'count',
      uid: 'counts',
      parallelism: options.parallelism ?? 1,
      fn: (a, b) => ({ word: (a as Word).word, n: (a as Word).n + (b as Word).n }),
      inputs: [{ from: checked, partitioning: keyed((w) => (w as Word).word), port: 0 }],
    });
  plan.sink('out', last, options.connectors.transactionalSinks.get('out')!.descriptor);
  return plan.plan();
}

/** The rolling counts an uninterrupted run emits for these words. */
function expectedCounts(words: readonly string[]): Word[] {
  const counts = new Map<string, number>();
  return words.map((word) => {
    const n = (counts.get(word) ?? 0) + 1;
    counts.set(word, n);
    return { word, n };
  });
}

test('a map that fails once restarts the job from its last checkpoint; the output is exactly once', async () => {
  const connectors = new MemoryConnectors();
  const words = connectors.source('words', { bounded: false, chunks: [{ values: ['a', 'b', 'a'] }] });
  const out = connectors.transactionalSink('out');
  let failures = 0;
  const plan = countingJob({
    connectors,
    fail: (word) => word === 'boom' && failures++ === 0,
    restart: { kind: 'fixed-delay', attempts: 1, delay: 0 },
  });
  const job = executeJob(plan, { connectors, jobId: 'fails-once', stateDir: root });
  await out.waitFor(3);
  assert.equal(await job.triggerCheckpoint(), 1);

  words.push({ values: ['b', 'boom', 'a'] });
  words.end();
  const result = await job.done;

  assert.equal(result.status, 'finished');
  assert.equal(result.metrics.restarts, 1);
  assert.deepEqual(result.restoredFrom, {
    checkpointId: 1,
    kind: 'checkpoint',
    path: join(root, 'fails-once', 'checkpoints', 'chk-1'),
  });
  assert.equal(failures, 2, 'boom was seen once in each attempt');
  assert.deepEqual(sorted(out.committed), sorted(expectedCounts(['a', 'b', 'a', 'b', 'boom', 'a'])));
});

test('when the restart strategy gives up, done rejects with the last error', async () => {
  const connectors = new MemoryConnectors();
  connectors.source('words', { chunks: [{ values: ['a', 'boom'] }] });
  connectors.transactionalSink('out');
  const plan = countingJob({
    connectors,
    fail: (word) => word === 'boom',
    restart: { kind: 'fixed-delay', attempts: 2, delay: 0 },
  });
  const job = executeJob(plan, { connectors, stateDir: root });
  await assert.rejects(job.done, (error: unknown) => {
    assert.ok(isStreamError(error, 'ENG_USER_FUNCTION_FAILED'));
    assert.match(error.message, /refusing boom/);
    return true;
  });
  assert.equal(job.metrics().restarts, 2);
});

test('a savepoint restores at another parallelism and the counts go on where they stopped', async () => {
  const connectors = new MemoryConnectors();
  const words = connectors.source('words', {
    bounded: false,
    chunks: [{ values: ['a', 'b', 'c', 'a', 'b', 'a'] }],
  });
  const out = connectors.transactionalSink('out');
  const first = executeJob(countingJob({ connectors, parallelism: 1 }), { connectors, jobId: 'rescale' });
  await out.waitFor(6);
  const savepoint = await first.stopWithSavepoint(join(root, 'savepoints'));
  const stopped = await first.done;
  assert.equal(stopped.status, 'stopped');
  assert.equal(stopped.savepoint, savepoint);
  assert.equal(savepoint, join(root, 'savepoints', 'savepoint-rescale-1'));
  assert.equal(out.committed.length, 6, 'the savepoint committed what came before it');

  words.push({ values: ['a', 'c', 'd', 'b'] });
  words.end();
  const second = executeJob(countingJob({ connectors, parallelism: 3 }), {
    connectors,
    jobId: 'rescale',
    restoreFrom: { path: savepoint },
  });
  const result = await second.done;
  assert.equal(result.status, 'finished');
  assert.equal(result.restoredFrom?.kind, 'savepoint');
  assert.equal(result.metrics.checkpoints.restored, 1);
  assert.deepEqual(
    sorted(out.committed),
    sorted(expectedCounts(['a', 'b', 'c', 'a', 'b', 'a', 'a', 'c', 'd', 'b'])),
  );
});

test('state of an operator the job no longer has is refused unless allowNonRestoredState', async () => {
  const connectors = new MemoryConnectors();
  const words = connectors.source('words', { bounded: false, chunks: [{ values: ['a'] }] });
  const out = connectors.transactionalSink('out');
  const first = executeJob(countingJob({ connectors }), { connectors, jobId: 'dropped' });
  await out.waitFor(1);
  const savepoint = await first.triggerSavepoint(join(root, 'savepoints'));
  await first.cancel();

  const refused = executeJob(countingJob({ connectors, withCounts: false }), {
    connectors,
    restoreFrom: { path: savepoint },
  });
  await assert.rejects(refused.done, (error: unknown) => {
    assert.ok(isStreamError(error, 'ENG_RESTORE_FAILED'));
    assert.match(error.message, /"counts" \(keyed-reduce "count"\)/);
    assert.match(error.message, /allowNonRestoredState/);
    return true;
  });

  words.end();
  const allowed = executeJob(countingJob({ connectors, withCounts: false }), {
    connectors,
    restoreFrom: { path: savepoint },
    allowNonRestoredState: true,
  });
  assert.equal((await allowed.done).status, 'finished');
});
