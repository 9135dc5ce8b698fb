// Replayable positions of the Kafka source against a real broker: what snapshotPositions() reports,
// restoring them (at another parallelism), and no offset commits of its own under checkpointing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KafkaSourceReader } from '../../src/connectors/kafka/kafka-reader.ts';
import { drain, sourceContext } from '../../src/connectors/shared/testing.ts';
import type { SourceContext, SplitPosition } from '../../src/engine/source.ts';
import { withAdmin } from '../../src/kafka/admin.ts';
import { committedOffsets } from '../../src/kafka/group-offsets.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { makeTopic, produce } from './connector-kafka-helpers.ts';

let broker: TestBroker;
before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  await broker.stop();
});

const CHECKPOINTING = { interval: 1_000, timeout: 10_000, mode: 'exactly-once' } as const;

function reader(topics: string[], startFrom: 'earliest' | 'latest' = 'earliest'): KafkaSourceReader {
  return new KafkaSourceReader({ topics, startFrom, format: 'string', stopAtEnd: true });
}

function context(overrides: Partial<SourceContext> = {}): SourceContext {
  return sourceContext({ bootstrap: broker.bootstrap, checkpointing: CHECKPOINTING, ...overrides });
}

/** `count` records `<topic>-<partition>-<i>` in each partition. */
async function fill(topic: string, partitions: number, count: number): Promise<string[]> {
  await makeTopic(broker.bootstrap, topic, partitions);
  const all: string[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    const values = Array.from({ length: count }, (_, i) => `${topic}-${partition}-${i}`);
    await produce(
      broker.bootstrap,
      topic,
      values.map((value) => ({ partition, value })),
    );
    all.push(...values);
  }
  return all;
}

const offsetsOf = (positions: SplitPosition[]) =>
  Object.fromEntries(positions.map((p) => [p.split, (p.position as { offset: number }).offset]));

test('positions count only records handed out; a restore resumes exactly there', {
  timeout: 20_000,
}, async () => {
  const all = await fill('pos', 1, 10);
  const first = reader(['pos']);
  await first.open(context({ batchSize: 3 }));
  assert.deepEqual(offsetsOf(first.snapshotPositions()), { 'pos-0': 0 });
  const seen = await drain(first, { maxWaitMs: 50, until: (d) => d.values.length >= 3 });
  assert.deepEqual(seen.values, all.slice(0, 3));
  // The reader fetched all ten records, but handed out three.
  const positions = first.snapshotPositions();
  assert.deepEqual(positions, [
    {
      split: 'pos-0',
      position: {
        kind: 'kafka',
        topic: 'pos',
        partition: 0,
        offset: 3,
        groupId: 'eddy-job-1',
        bootstrap: broker.bootstrap,
      },
    },
  ]);
  await first.close();

  const second = reader(['pos'], 'latest'); // the restored position wins over startFrom
  second.restorePositions(positions);
  await second.open(context());
  assert.deepEqual((await drain(second, { maxWaitMs: 50 })).values, all.slice(3));
  assert.deepEqual(offsetsOf(second.snapshotPositions()), { 'pos-0': 10 });
  await second.close();

  const offsets = await withAdmin({ bootstrap: broker.bootstrap }, (admin) =>
    committedOffsets(admin, 'eddy-job-1', ['pos']),
  );
  assert.deepEqual(offsets, [], 'with checkpointing the source commits no offsets of its own');
});

test('positions of 2 subtasks restore into 1; a topic the checkpoint does not know uses startFrom', {
  timeout: 20_000,
}, async () => {
  const all = await fill('rescale', 4, 5);
  const old = [0, 1].map(() => reader(['rescale']));
  const handed: string[] = [];
  const positions: SplitPosition[] = [];
  for (const [subtaskIndex, r] of old.entries()) {
    await r.open(context({ subtaskIndex, parallelism: 2, batchSize: 2 }));
    const out = await drain(r, { maxWaitMs: 50, until: (d) => d.values.length >= 4 });
    handed.push(...(out.values as string[]));
    positions.push(...r.snapshotPositions());
    await r.close();
  }
  assert.deepEqual(positions.map((p) => p.split).sort(), [
    'rescale-0',
    'rescale-1',
    'rescale-2',
    'rescale-3',
  ]);
  await fill('rescale-new', 1, 2);

  const merged = reader(['rescale', 'rescale-new'], 'latest');
  merged.restorePositions(positions);
  await merged.open(context({ subtaskIndex: 0, parallelism: 1 }));
  const rest = (await drain(merged, { maxWaitMs: 50 })).values as string[];
  await merged.close();
  assert.deepEqual([...handed, ...rest].sort(), [...all].sort(), 'every record exactly once');
  assert.ok(!rest.some((v) => v.startsWith('rescale-new')), "the new topic started at 'latest'");
});
