// Partition discovery of the Kafka source against a real broker: partitions added while readers (and a
// job) run are found every partitionDiscoveryInterval of job-clock time, read from their earliest offset
// by exactly one subtask, without moving existing partitions, and checkpointed and restored.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { createEnvironment, WatermarkStrategy } from '../../src/api/index.ts';
import { FaultInjector } from '../../src/broker/faults/fault-injector.ts';
import { ManualClock } from '../../src/common/time.ts';
import { functionSink } from '../../src/connectors/index.ts';
import { KafkaSourceReader } from '../../src/connectors/kafka/kafka-reader.ts';
import { kafkaSource } from '../../src/connectors/kafka/kafka-source.ts';
import { connectorResolver } from '../../src/connectors/registry.ts';
import { drain, sourceContext } from '../../src/connectors/shared/testing.ts';
import { listCheckpoints } from '../../src/engine/checkpoint/storage.ts';
import { executeJob } from '../../src/engine/execute.ts';
import type { SourceContext, SplitPosition } from '../../src/engine/source.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { makeTopic, produce } from './connector-kafka-helpers.ts';

const faults = new FaultInjector();
let broker: TestBroker;
before(async () => {
  broker = await startTestBroker({ faults });
});
after(async () => {
  await broker.stop();
});

const INTERVAL = 1_000;
const LIST_OFFSETS = 2;

async function addPartitions(topic: string, total: number): Promise<void> {
  const outcome = await broker.state.topics.addPartitions(topic, total);
  assert.ok('topic' in outcome, `could not add partitions to ${topic}`);
}

/** `<topic>-<partition>-<i>` for i < count, produced to that partition. */
async function fill(topic: string, partition: number, count: number, from = 0): Promise<string[]> {
  const values = Array.from({ length: count }, (_, i) => `${topic}-${partition}-${from + i}`);
  await produce(
    broker.bootstrap,
    topic,
    values.map((value) => ({ partition, value })),
  );
  return values;
}

const splitsOf = (positions: readonly SplitPosition[]) => positions.map((p) => p.split).sort();
const offsetsOf = (positions: readonly SplitPosition[]) =>
  Object.fromEntries(positions.map((p) => [p.split, (p.position as { offset: number }).offset]));

type Config = ConstructorParameters<typeof KafkaSourceReader>[0];

async function openReader(config: Config, ctx: Partial<SourceContext>) {
  const reader = new KafkaSourceReader(config);
  await reader.open(sourceContext({ bootstrap: broker.bootstrap, ...ctx }));
  await reader.poll(0); // the announcement of the partitions it opened with
  return reader;
}

test('added partitions are read from the earliest offset by exactly one subtask; none moves', {
  timeout: 20_000,
}, async () => {
  await makeTopic(broker.bootstrap, 'disc-a', 1);
  await makeTopic(broker.bootstrap, 'disc-b', 2);
  // A clock per subtask: they look for partitions at different times, as subtasks of a job do.
  const clocks = [new ManualClock(0), new ManualClock(0)];
  // 'latest': only discovery's earliest start can make the readers see records written before it ran.
  const config: Config = {
    topics: ['disc-a', 'disc-b'],
    startFrom: 'latest',
    format: 'string',
    partitionDiscoveryInterval: INTERVAL,
  };
  const open = (startFrom: 'latest' | 'earliest') =>
    Promise.all(
      clocks.map((clock, subtaskIndex) =>
        openReader({ ...config, startFrom }, { clock, subtaskIndex, parallelism: 2 }),
      ),
    );
  const readers = await open('latest');
  const read = readers.map(() => [] as unknown[]);
  const announced = readers.map(() => [] as string[]);
  const pollOnce = async (i: number) => {
    for (const chunk of (await readers[i].poll(10)) ?? []) {
      read[i].push(...chunk.values);
      if (chunk.values.length === 0) announced[i].push(chunk.split);
    }
  };
  try {
    const before = readers.map((r) => splitsOf(r.snapshotPositions()));
    assert.deepEqual(before.flat().sort(), ['disc-a-0', 'disc-b-0', 'disc-b-1']);

    await addPartitions('disc-b', 4);
    const written = [...(await fill('disc-b', 2, 2)), ...(await fill('disc-b', 3, 1))];
    for (const i of [0, 1, 0, 1]) await pollOnce(i);
    assert.deepEqual(announced, [[], []], 'nothing is discovered before an interval has passed');

    // Subtask 0 looks now; subtask 1 only after disc-a grew too (by one: a rule numbering the
    // partitions of all topics in a row would now give disc-b's partitions other numbers).
    clocks[0].advance(INTERVAL);
    await pollOnce(0);
    await addPartitions('disc-a', 2);
    written.push(...(await fill('disc-a', 1, 3)));
    clocks[1].advance(INTERVAL);
    await pollOnce(1);
    clocks[0].advance(INTERVAL);
    // A split is announced before its records, so once all records are in, so are the announcements.
    for (let round = 0; round < 500 && read.flat().length < written.length; round++) {
      for (const i of [0, 1]) await pollOnce(i);
    }
    assert.deepEqual(read.flat().sort(), [...written].sort(), 'every record once, from the start');
    assert.deepEqual(announced.flat().sort(), ['disc-a-1', 'disc-b-2', 'disc-b-3']);
    const afterwards = readers.map((r) => r.snapshotPositions());
    for (const [i, positions] of afterwards.entries()) {
      assert.deepEqual(splitsOf(positions), [...before[i], ...announced[i]].sort(), 'old splits stay');
      for (const value of read[i])
        assert.ok(splitsOf(positions).some((s) => String(value).startsWith(`${s}-`)));
    }
    assert.deepEqual(offsetsOf(afterwards.flat()), {
      'disc-a-0': 0,
      'disc-a-1': 3,
      'disc-b-0': 0,
      'disc-b-1': 0,
      'disc-b-2': 2,
      'disc-b-3': 1,
    });

    // Readers opened now (a restart) own what the running ones own.
    const restarted = await open('earliest');
    try {
      assert.deepEqual(
        restarted.map((r) => splitsOf(r.snapshotPositions())),
        afterwards.map(splitsOf),
      );
    } finally {
      for (const r of restarted) await r.close();
    }
  } finally {
    for (const r of readers) await r.close();
  }
});

test('a failed discovery is logged, not fatal, and tried again at the next interval', {
  timeout: 20_000,
}, async () => {
  await makeTopic(broker.bootstrap, 'disc-fail', 1);
  const clock = new ManualClock(0);
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
  const config: Config = {
    topics: ['disc-fail'],
    startFrom: 'earliest',
    format: 'string',
    partitionDiscoveryInterval: INTERVAL,
  };
  const reader = await openReader(config, { clock, logger });
  try {
    await addPartitions('disc-fail', 2);
    const written = await fill('disc-fail', 1, 2);
    faults.add({ apiKey: LIST_OFFSETS, topic: 'disc-fail', action: { type: 'close-before' } });
    clock.advance(INTERVAL);
    await reader.poll(20);
    faults.clear();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /could not look for added partitions/);
    assert.deepEqual(splitsOf(reader.snapshotPositions()), ['disc-fail-0']);

    clock.advance(INTERVAL);
    const out = await drain(reader, { maxWaitMs: 20, maxPolls: 200, until: (d) => d.values.length >= 2 });
    assert.deepEqual(out.values, written);
    assert.deepEqual(splitsOf(reader.snapshotPositions()), ['disc-fail-0', 'disc-fail-1']);
  } finally {
    faults.clear();
    await reader.close();
  }
});

test('no discovery with partitionDiscoveryInterval 0 or stopAtEnd', { timeout: 20_000 }, async () => {
  await makeTopic(broker.bootstrap, 'disc-off', 1);
  const clock = new ManualClock(0);
  const off: Config = { topics: ['disc-off'], startFrom: 'earliest', format: 'string' };
  const readers = [
    await openReader({ ...off, partitionDiscoveryInterval: 0 }, { clock }),
    await openReader({ ...off, stopAtEnd: true }, { clock }),
  ];
  try {
    await addPartitions('disc-off', 2);
    await fill('disc-off', 1, 1);
    clock.advance(3_600_000);
    for (const r of readers) {
      const out = await drain(r, { maxWaitMs: 20, maxPolls: 5 });
      assert.deepEqual(out.values, []);
      assert.deepEqual(splitsOf(r.snapshotPositions()), ['disc-off-0']);
    }
  } finally {
    for (const r of readers) await r.close();
  }
});

test('a job finds added partitions, checkpoints their positions and resumes them after a restore', {
  timeout: 30_000,
}, async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'eddy-discovery-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const topic = 'disc-job';
  await makeTopic(broker.bootstrap, topic, 1);
  const first = await fill(topic, 0, 3);

  const run = (clock: ManualClock, seen: string[]) => {
    const env = createEnvironment({ jobName: 'discovery', parallelism: 2, clock });
    env.enableCheckpointing(3_600_000);
    env
      .fromSource(
        kafkaSource<string>({
          topics: [topic],
          startFrom: 'earliest',
          format: 'string',
          partitionDiscoveryInterval: INTERVAL,
        }),
        WatermarkStrategy.noWatermarks<string>(),
        'input',
      )
      .sinkTo(functionSink<string>({ write: (values) => void seen.push(...values) }));
    const job = executeJob(env.toPlan(), {
      connectors: connectorResolver,
      jobId: 'disc',
      stateDir,
      bootstrap: broker.bootstrap,
      restoreFrom: 'latest',
    });
    return job;
  };
  const until = async (seen: string[], count: number) => {
    while (seen.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  /** Splits per source subtask, and every split's offset, in checkpoint `id`. */
  const positionsAt = async (id: number) => {
    const checkpoint = (await listCheckpoints(stateDir, 'disc')).find((c) => c.id === id);
    const source = checkpoint?.manifest?.operators.find((op) => op.kind === 'source');
    assert.ok(source !== undefined);
    const subtasks = source.subtasks.map((s) => splitsOf(s.positions ?? []));
    return { subtasks, offsets: offsetsOf(source.subtasks.flatMap((s) => s.positions ?? [])) };
  };

  const clock = new ManualClock(0);
  const seen: string[] = [];
  let job = run(clock, seen);
  try {
    await until(seen, 3);
    const before = await positionsAt(await job.triggerCheckpoint());
    assert.deepEqual(before.offsets, { [`${topic}-0`]: 3 });

    await addPartitions(topic, 3);
    const added = [...(await fill(topic, 1, 4)), ...(await fill(topic, 2, 5))];
    clock.advance(INTERVAL);
    await until(seen, 12);
    const afterwards = await positionsAt(await job.triggerCheckpoint());
    assert.deepEqual(seen.sort(), [...first, ...added].sort(), 'each record once: one reader per partition');
    assert.deepEqual(afterwards.subtasks.flat().sort(), [`${topic}-0`, `${topic}-1`, `${topic}-2`]);
    const owner = (subtasks: string[][], split: string) => subtasks.findIndex((s) => s.includes(split));
    assert.equal(owner(afterwards.subtasks, `${topic}-0`), owner(before.subtasks, `${topic}-0`), 'it stays');
    assert.deepEqual(afterwards.offsets, { [`${topic}-0`]: 3, [`${topic}-1`]: 4, [`${topic}-2`]: 5 });
  } finally {
    await job.cancel();
    await job.done.catch(() => undefined);
  }

  // Restored from the checkpoint after discovery: the added partitions go on where they stood.
  const later = [...(await fill(topic, 1, 2, 4)), ...(await fill(topic, 2, 1, 5))];
  const resumed: string[] = [];
  job = run(new ManualClock(0), resumed);
  try {
    await until(resumed, later.length);
    assert.deepEqual(resumed.sort(), [...later].sort());
  } finally {
    await job.cancel();
    await job.done.catch(() => undefined);
  }
});
