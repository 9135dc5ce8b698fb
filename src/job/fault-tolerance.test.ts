import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { elementsSource } from '../connectors/elements/elements-source.ts';
import { kafkaSink } from '../connectors/kafka/kafka-sink.ts';
import { connectorResolver } from '../connectors/registry.ts';
import type { CheckpointManifest } from '../engine/checkpoint/manifest.ts';
import type { ConnectorResolver } from '../engine/connector-resolver.ts';
import { MemoryConnectors } from '../engine/testing-support/memory-connectors.ts';
import { keyed, PlanBuilder } from '../engine/testing-support/plan-builder.ts';
import type { TransactionalMemorySink } from '../engine/testing-support/transactional-sink.ts';
import { startJob } from './run-job.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-job-ft-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Count {
  readonly word: string;
  readonly n: number;
}

const WORDS = Array.from({ length: 200 }, (_, i) => `w${(i * 7) % 11}`);

/** The built-in elements source with a transactional in-memory sink. */
function connectorsWith(out: TransactionalMemorySink, memory: MemoryConnectors): ConnectorResolver {
  return {
    createSource: (descriptor) => connectorResolver.createSource(descriptor),
    createSink: (descriptor) =>
      descriptor === out.descriptor
        ? memory.createSink(descriptor)
        : connectorResolver.createSink(descriptor),
  };
}

function countJob(out: TransactionalMemorySink, parallelism: number) {
  const plan = new PlanBuilder({ batchSize: 1, channelCapacity: 1 });
  const words = plan.source('words', elementsSource(WORDS) as never);
  const counts = plan.add({
    kind: 'keyed-reduce',
    name: 'count',
    uid: 'counts',
    parallelism,
    fn: (a, b) => ({ word: (a as Count).word, n: (a as Count).n + (b as Count).n }),
    inputs: [
      {
        from: plan.map('one', words, (word) => ({ word, n: 1 })),
        partitioning: keyed((c) => (c as Count).word),
        port: 0,
      },
    ],
  });
  plan.sink('out', counts, out.descriptor);
  return plan.plan();
}

async function waitForPath(path: string): Promise<void> {
  for (;;) {
    if (
      await access(path).then(
        () => true,
        () => false,
      )
    )
      return;
    await delay(2);
  }
}

function expectedCounts(): string[] {
  const seen = new Map<string, number>();
  return WORDS.map((word) => {
    const n = (seen.get(word) ?? 0) + 1;
    seen.set(word, n);
    return JSON.stringify({ word, n });
  }).sort();
}

test('stopped with a savepoint part-way and restored at parallelism 3, the elements job gives the uninterrupted output', async () => {
  const memory = new MemoryConnectors();
  const out = memory.transactionalSink('out');
  const connectors = connectorsWith(out, memory);
  out.pause(); // backpressure holds the source part-way through the elements
  const first = startJob(countJob(out, 1), { connectors, jobId: 'words' });
  await out.waitFor(1);
  const stopping = first.execution.stopWithSavepoint(join(root, 'savepoints'));
  // The barrier is asked for right after the savepoint directory exists; the blocked source injects it
  // within a few ticks and then emits nothing more, so resuming the sink cannot let it finish.
  await waitForPath(join(root, 'savepoints', 'savepoint-words-1'));
  await delay(20);
  out.resume();
  const savepoint = await stopping;
  assert.equal((await first.done).status, 'stopped');

  const manifest = JSON.parse(
    await readFile(join(savepoint, '_metadata.json'), 'utf8'),
  ) as CheckpointManifest;
  const [position] = manifest.operators[0].subtasks[0].positions ?? [];
  const emitted = (position.position as { emitted: number }).emitted;
  assert.ok(emitted > 0 && emitted < WORDS.length, `the savepoint is part-way (${emitted} emitted)`);
  assert.equal(out.committed.length, emitted);

  const second = startJob(countJob(out, 3), { connectors, jobId: 'words', restoreFrom: { path: savepoint } });
  assert.equal((await second.done).status, 'finished');
  assert.deepEqual(out.committed.map((c) => JSON.stringify(c)).sort(), expectedCounts());
});

test('a misconfigured sink fails the job at once instead of restarting forever', async () => {
  // Checkpointing with the default restart strategy (restart without end); the exactly-once sink's
  // transaction timeout cannot outlast a checkpoint interval + timeout, which no restart can change.
  const plan = new PlanBuilder({
    checkpointing: { interval: 60_000, timeout: 60_000, minPause: 0, retained: 1, mode: 'exactly-once' },
  });
  const words = plan.source('words', elementsSource(WORDS) as never);
  plan.sink(
    'out',
    words,
    kafkaSink({
      topic: 'out',
      bootstrap: '127.0.0.1:1',
      format: 'json',
      guarantee: 'exactly-once',
      transactionTimeout: 1_000,
    }) as never,
  );
  const job = startJob(plan.plan(), { jobId: 'misconfigured', stateDir: join(root, 'misconfigured') });
  await assert.rejects(job.done, (error: Error & { code?: string }) => {
    assert.equal(error.code, 'CON_EXACTLY_ONCE_MISCONFIGURED');
    assert.match(error.message, /transactionTimeout \(1000 ms\) must exceed/);
    return true;
  });
  assert.equal(job.execution.metrics().restarts, 0);
});
