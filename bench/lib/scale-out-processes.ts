// The one-versus-two-processes case of bench/scaling.ts: the clickstream example run by N `eddy run
// --scale-out` processes with one job id (N = 1, then 2; a fresh id each time), timed until what a
// read_committed reader sees of its output counts every input click. The input topic has 2 partitions,
// so the job has 2 tasks: one process runs both, two processes run one each.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer, stringSerializers } from '@platformatic/kafka';
import type { UserMetrics } from '../../examples/clickstream/clicks.ts';
import { type EddyProcess, startEddy } from '../../src/cli/testing-support/eddy-child.ts';
import { createTopic, withAdmin } from '../../src/kafka/admin.ts';
import { baseClientOptions } from '../../src/kafka/client-options.ts';
import { PartitionConsumer } from '../../src/kafka/partition-consumer.ts';

const JOB = join(import.meta.dirname, '..', '..', 'examples', 'clickstream', 'job.ts');
const PAGES = ['/home', '/cart', '/search', '/about'];
const T0 = 1_700_000_000_000;
/** Output commits at checkpoints: a short interval keeps the wait for the last one small. */
const CHECKPOINT_INTERVAL = '500ms';
const DEADLINE_MS = 15 * 60_000;

/** One timed run: from spawning the processes to the last click counted in committed output. */
export interface ProcessesRun {
  /** Clicks per second from the moment every process had joined the job to the complete output. */
  readonly rate: number;
  readonly totalMs: number;
  /** Spawn to the last process logging that it joined (node start-up, job import, group join). */
  readonly startupMs: number;
}

/**
 * Writes `count` JSON clicks (10 per millisecond of event time, as bench/scaling.ts's Kafka case) to a
 * new 2-partition topic, click i to partition i % 2, then one click 10 minutes later on each partition:
 * the watermark passes the end of every window of the real clicks, so every one of them is emitted.
 *
 * @example await writeClicks(broker.bootstrap, 'bench-clicks-procs', 1_000_000);
 */
export async function writeClicks(bootstrap: string, topic: string, count: number): Promise<void> {
  await withAdmin({ bootstrap }, (admin) => createTopic(admin, topic, 2, {}));
  const producer = new Producer({
    ...baseClientOptions({ bootstrap }, 'bench'),
    serializers: stringSerializers,
  });
  const click = (i: number, ts: number, user = `u${i % 997}`) => ({
    topic,
    partition: i & 1,
    key: user,
    value: JSON.stringify({
      user_id: user,
      page: PAGES[i & 3],
      action: i % 3 ? 'view' : 'click',
      timestamp: ts,
    }),
  });
  try {
    for (let from = 0; from < count; from += 2_000) {
      const batch = [];
      for (let i = from; i < Math.min(count, from + 2_000); i++)
        batch.push(click(i, T0 + Math.floor(i / 10)));
      await producer.send({ messages: batch, acks: -1 });
    }
    const end = T0 + Math.floor(count / 10) + 10 * 60_000;
    await producer.send({ messages: [click(0, end, 'end'), click(1, end, 'end')], acks: -1 });
  } finally {
    await producer.close();
  }
}

/**
 * Runs the clickstream job on `processes` scaled-out processes over `topic` (written by writeClicks
 * with `count` clicks) and times it; then stops them with SIGTERM. Throws when a process dies or the
 * output counts a click twice.
 *
 * @example const one = await timeProcesses({ bootstrap, topic, count: 1e6, processes: 1, jobId: 'p1' });
 */
export async function timeProcesses(options: {
  readonly bootstrap: string;
  readonly topic: string;
  readonly count: number;
  readonly processes: number;
  readonly jobId: string;
}): Promise<ProcessesRun> {
  const { bootstrap, jobId } = options;
  const outputs = {
    'page-views-topic': `${jobId}-page-views`,
    'user-metrics-topic': `${jobId}-user-metrics`,
    'late-topic': `${jobId}-late`,
    'dead-letter-topic': `${jobId}-dead`,
  };
  await withAdmin({ bootstrap }, async (admin) => {
    for (const name of Object.values(outputs)) await createTopic(admin, name, 1, {});
  });
  const stateDir = await mkdtemp(join(tmpdir(), 'eddy-bench-procs-'));
  const args = [
    ...['--log-level', 'info', '--bootstrap', bootstrap, 'run', JOB, '--scale-out', '--job-id', jobId],
    ...['--state-dir', stateDir, '--checkpoint-interval', CHECKPOINT_INTERVAL, '--'],
    ...['--input-topic', options.topic, ...Object.entries(outputs).flatMap(([flag, t]) => [`--${flag}`, t])],
  ];
  const begin = performance.now();
  const children = Array.from({ length: options.processes }, () => startEddy(args, { env: {} }));
  const counter = new PartitionConsumer({ bootstrap, clientId: `${jobId}-bench-reader` });
  try {
    let joined: number | undefined;
    let counted = 0;
    const position = { topic: outputs['user-metrics-topic'], partition: 0, offset: 0n };
    while (counted < options.count) {
      const dead = children.find((child) => !child.running);
      if (dead !== undefined) throw new Error(`an eddy process exited:\n${tail(dead)}`);
      if (performance.now() - begin > DEADLINE_MS)
        throw new Error(
          `output incomplete after ${DEADLINE_MS} ms (${counted} of ${options.count} clicks):\n${children.map(tail).join('\n')}`,
        );
      if (
        joined === undefined &&
        children.every((child) => child.errorOutput.includes('"job running (scaled out)"'))
      )
        joined = performance.now();
      // read_committed (the client's default): only what the tasks' transactions committed.
      for (const fetched of await counter.fetch([position], 200)) {
        position.offset = fetched.nextOffset;
        for (const record of fetched.records)
          counted += (JSON.parse(record.value?.toString() ?? '{}') as UserMetrics).events ?? 0;
      }
    }
    const done = performance.now();
    if (counted !== options.count) throw new Error(`the output counts ${counted} clicks of ${options.count}`);
    const startedAt = joined ?? done;
    return {
      rate: options.count / ((done - startedAt) / 1000),
      totalMs: done - begin,
      startupMs: startedAt - begin,
    };
  } finally {
    await counter.close().catch(() => undefined);
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => child.exit(60_000).catch(() => undefined)));
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** The last lines a process wrote to stderr. */
function tail(child: EddyProcess): string {
  return child.errorOutput.split('\n').slice(-15).join('\n');
}
