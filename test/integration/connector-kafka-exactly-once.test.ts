// The exactly-once Kafka sink against a real broker, driven by hand as the checkpoint coordinator would:
// write, prepareCommit(N), commit(N, positions); a process killed between prepare and commit; several
// sinks sharing one transaction; a checkpoint with offsets only.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kafkaSplitPosition } from '../../src/connectors/kafka/kafka-positions.ts';
import { KafkaSinkWriter } from '../../src/connectors/kafka/kafka-sink.ts';
import { kafkaSource } from '../../src/connectors/kafka/kafka-source.ts';
import { connectorResolver } from '../../src/connectors/registry.ts';
import { batch, sinkContext } from '../../src/connectors/shared/testing.ts';
import type { SinkContext, SourcePositions } from '../../src/engine/sink.ts';
import { withAdmin } from '../../src/kafka/admin.ts';
import { committedOffsets } from '../../src/kafka/group-offsets.ts';
import { PartitionConsumer } from '../../src/kafka/partition-consumer.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { makeTopic } from './connector-kafka-helpers.ts';

let broker: TestBroker;
before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  await broker.stop();
});

const CHECKPOINTING = { interval: 1_000, timeout: 10_000, mode: 'exactly-once' } as const;

function context(jobId: string, overrides: Partial<SinkContext> = {}): SinkContext {
  return sinkContext({ bootstrap: broker.bootstrap, jobId, checkpointing: CHECKPOINTING, ...overrides });
}

async function openWriter(topic: string, jobId: string): Promise<KafkaSinkWriter> {
  const writer = new KafkaSinkWriter({ topic, format: 'string', guarantee: 'exactly-once' });
  await writer.open(context(jobId));
  return writer;
}

/** The positions a Kafka source reading `topic` would report at a barrier: partition → next offset. */
function positions(jobId: string, topic: string, offsets: number[]): SourcePositions[] {
  const list = offsets.map((offset, partition) =>
    kafkaSplitPosition({ topic, partition }, BigInt(offset), `eddy-${jobId}`, broker.bootstrap),
  );
  return [{ sourceName: 'input', positions: list }];
}

/** Values a read_committed reader sees in the topic (partition 0 only: the topics here have one). */
async function committedValues(topic: string): Promise<string[]> {
  const consumer = new PartitionConsumer({ bootstrap: broker.bootstrap });
  try {
    const fetched = await consumer.fetch([{ topic, partition: 0, offset: 0n }], 50);
    return fetched.flatMap((p) => p.records.map((r) => r.value?.toString() ?? ''));
  } finally {
    await consumer.close();
  }
}

/** The last stable offset of partition 0: read_committed readers stop there while a transaction is open. */
async function lastStable(topic: string): Promise<number> {
  const consumer = new PartitionConsumer({ bootstrap: broker.bootstrap });
  try {
    const latest = await consumer.listOffsets([{ topic, partition: 0 }], 'latest');
    return Number(latest.get(`${topic}-0`));
  } finally {
    await consumer.close();
  }
}

async function groupOffsets(group: string, topic: string) {
  const offsets = await withAdmin({ bootstrap: broker.bootstrap }, (admin) =>
    committedOffsets(admin, group, [topic]),
  );
  return offsets.map((o) => ({ partition: o.partition, offset: Number(o.offset), metadata: o.metadata }));
}

function committedCheckpoint(jobId: string, topic: string): Promise<number | undefined> {
  const source = kafkaSource({ topics: [topic], startFrom: 'earliest', format: 'string' });
  return connectorResolver.committedCheckpoint!(source, { jobId, bootstrap: broker.bootstrap });
}

/** Runs kafka-exactly-once-child.ts until it has prepared checkpoint 2, then kills it with SIGKILL. */
async function crashAfterPrepare(jobId: string, topic: string, values: string[]): Promise<void> {
  const script = join(import.meta.dirname, 'kafka-exactly-once-child.ts');
  const child = spawn(process.execPath, [script, broker.bootstrap, jobId, topic, ...values], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    for await (const text of child.stdout) {
      out += text;
      if (out.includes('prepared')) break;
    }
    assert.match(out, /prepared/, 'the child must prepare checkpoint 2 before it dies');
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

test('a committed checkpoint is visible with its offsets; a crash after prepare leaves nothing behind', {
  timeout: 30_000,
}, async () => {
  const [jobId, out, input] = ['eo-job', 'eo-out', 'eo-in'];
  await makeTopic(broker.bootstrap, out, 1);
  await makeTopic(broker.bootstrap, input, 2);
  assert.equal(await committedCheckpoint(jobId, input), undefined, 'nothing committed yet');

  const first = await openWriter(out, jobId);
  await first.write(batch(['a1', 'a2', 'a3']));
  const prepared = await first.prepareCommit(1);
  assert.deepEqual(prepared, { transactionalId: `${jobId}-0`, checkpointId: 1 });
  assert.deepEqual(await committedValues(out), [], 'invisible before the commit');
  await first.commit(1, positions(jobId, input, [5, 7]));
  assert.deepEqual(await committedValues(out), ['a1', 'a2', 'a3']);
  assert.deepEqual(await groupOffsets(`eddy-${jobId}`, input), [
    { partition: 0, offset: 5, metadata: 'eddy-checkpoint:1' },
    { partition: 1, offset: 7, metadata: 'eddy-checkpoint:1' },
  ]);
  await first.close();

  await crashAfterPrepare(jobId, out, ['b1', 'b2']);
  assert.equal(await committedCheckpoint(jobId, input), 1, 'the crashed checkpoint 2 never committed');
  // a1..a3 at 0-2, the commit marker at 3; the dead process's transaction holds readers at b1 (4).
  assert.equal(await lastStable(out), 4);

  // The restarted job's writer takes over the transactional id: the lingering transaction is aborted.
  const restarted = await openWriter(out, jobId);
  assert.equal(await lastStable(out), 7, 'b1, b2 and the abort marker are below the last stable offset');
  assert.deepEqual(await committedValues(out), ['a1', 'a2', 'a3']);
  await restarted.write(batch(['c1']));
  await restarted.prepareCommit(2);
  await restarted.commit(2, positions(jobId, input, [6, 9]));
  assert.deepEqual(await committedValues(out), ['a1', 'a2', 'a3', 'c1']);
  assert.equal(await committedCheckpoint(jobId, input), 2);

  // A checkpoint without output still commits the offsets.
  await restarted.prepareCommit(3);
  await restarted.commit(3, positions(jobId, input, [8, 9]));
  assert.equal(await committedCheckpoint(jobId, input), 3);
  assert.deepEqual(
    (await groupOffsets(`eddy-${jobId}`, input)).map((o) => o.offset),
    [8, 9],
  );
  await restarted.commit(3, positions(jobId, input, [8, 9])); // again: nothing happens
  await restarted.close();
  assert.deepEqual(await committedValues(out), ['a1', 'a2', 'a3', 'c1']);
});

test('two sinks of a job share one transaction; records after a barrier wait for the next checkpoint', {
  timeout: 30_000,
}, async () => {
  const jobId = 'eo-shared';
  await makeTopic(broker.bootstrap, 'shared-1', 1);
  await makeTopic(broker.bootstrap, 'shared-2', 1);
  await makeTopic(broker.bootstrap, 'shared-in', 1);
  const one = await openWriter('shared-1', jobId);
  const two = await openWriter('shared-2', jobId);
  try {
    await one.write(batch(['x1']));
    const [p1] = await Promise.all([one.prepareCommit(1)]);
    await one.write(batch(['x2'])); // after one's barrier 1: belongs to checkpoint 2
    await two.write(batch(['y1'])); // two has not seen barrier 1 yet
    const p2 = await two.prepareCommit(1);
    assert.equal(p1?.transactionalId, p2?.transactionalId);
    const at1 = positions(jobId, 'shared-in', [4]);
    await Promise.all([one.commit(1, at1), two.commit(1, at1)]);
    assert.deepEqual(await committedValues('shared-1'), ['x1']);
    assert.deepEqual(await committedValues('shared-2'), ['y1']);
    assert.equal(await committedCheckpoint(jobId, 'shared-in'), 1);

    await Promise.all([one.prepareCommit(2), two.prepareCommit(2)]);
    const at2 = positions(jobId, 'shared-in', [6]);
    await Promise.all([two.commit(2, at2), one.commit(2, at2)]);
    assert.deepEqual(await committedValues('shared-1'), ['x1', 'x2']);
    assert.equal(await committedCheckpoint(jobId, 'shared-in'), 2);
  } finally {
    await one.close();
    await two.close();
  }
});

test('at end of input, once every sharing writer has ended, the open transaction commits', {
  timeout: 30_000,
}, async () => {
  const jobId = 'eo-end';
  await makeTopic(broker.bootstrap, 'end-1', 1);
  const writer = await openWriter('end-1', jobId);
  try {
    await writer.write(batch(['last']));
    await writer.flush();
    assert.deepEqual(await committedValues('end-1'), ['last']);
  } finally {
    await writer.close();
  }
});

test('a checkpoint that never commits (it failed) is committed by the next one', {
  timeout: 30_000,
}, async () => {
  const jobId = 'eo-failed';
  await makeTopic(broker.bootstrap, 'failed-out', 1);
  await makeTopic(broker.bootstrap, 'failed-in', 1);
  const writer = await openWriter('failed-out', jobId);
  try {
    await writer.write(batch(['before-1']));
    await writer.prepareCommit(1); // checkpoint 1 fails elsewhere: commit(1) never comes
    await writer.write(batch(['before-2']));
    await writer.prepareCommit(2);
    await writer.write(batch(['after-2']));
    await writer.commit(2, positions(jobId, 'failed-in', [3]));
    assert.deepEqual(await committedValues('failed-out'), ['before-1', 'before-2']);
    assert.equal(await committedCheckpoint(jobId, 'failed-in'), 2);
    await writer.commit(1, positions(jobId, 'failed-in', [1])); // late and stale: ignored
    assert.equal(await committedCheckpoint(jobId, 'failed-in'), 2);
  } finally {
    await writer.close();
  }
  assert.deepEqual(await committedValues('failed-out'), ['before-1', 'before-2'], 'close aborts after-2');
});
