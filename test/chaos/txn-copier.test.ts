// Exactly-once consume-transform-produce under kill -9: a confluent-kafka copier (read_committed input,
// input offsets committed inside each transaction) is killed at random points again and again, while
// more input arrives; each new instance fences the last and its open transaction is aborted. In the
// end the output, read with read_committed by kcat, must hold exactly one copy of every input record,
// everything the copier saw committed, and nothing of a transaction the log's markers say was aborted.
//
// EDDY_CHAOS_KILLS (default 10) scales the number of kills; EDDY_CHAOS_SEED varies the kill points.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { seededRandom } from '../../src/common/random.ts';
import { kcatMissing } from '../compat/kcat/kcat.ts';
import { LineProcess } from '../compat/support/child-process.ts';
import { findPython } from '../compat/support/python.ts';
import { createTopic, produce } from '../integration/data-path-helpers.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import { checkHistory, describeViolations } from './checker.ts';
import { readTopic } from './read-back.ts';
import { txnOutcomes } from './txn-outcomes.ts';

const KILLS = Number(process.env.EDDY_CHAOS_KILLS ?? 10);
const SEED = Number(process.env.EDDY_CHAOS_SEED ?? 4242);
const PARTITIONS = 3;
const PER_ROUND = 300;
const python = findPython('confluent_kafka');
const skip = (python === null ? 'python3-confluent-kafka is not installed' : null) ?? kcatMissing() ?? false;

let broker: TestBroker;
let socket: KafkaSocket;
before(async () => {
  if (skip) return;
  broker = await startTestBroker({ durability: 'fsync' });
  socket = await KafkaSocket.open('127.0.0.1', broker.port);
});
after(async () => {
  socket?.close();
  await broker?.stop();
});

/** Appends `count` plain input records, round-robin over the partitions. */
async function addInput(from: number, count: number): Promise<string[]> {
  const values = Array.from({ length: count }, (_, i) => `in-${from + i}`);
  for (let p = 0; p < PARTITIONS; p++) {
    const mine = values.filter((_, i) => i % PARTITIONS === p);
    const answer = await produce(
      socket,
      'copier-in',
      p,
      mine.map((v) => ({ value: Buffer.from(v) })),
    );
    assert.equal(answer.errorCode, 0);
  }
  return values;
}

test(`a transactional copier killed with kill -9 ${KILLS} times copies every record exactly once`, {
  skip,
  timeout: 120_000,
}, async (t) => {
  await createTopic(socket, 'copier-in', PARTITIONS);
  await createTopic(socket, 'copier-out', PARTITIONS);
  const rng = seededRandom(SEED);
  const inputs: string[] = [];
  const seenCommitted: string[] = [];
  let killedMidway = 0;
  const run = (instance: number, exitWhenDone: boolean) => {
    let done = false;
    const child = new LineProcess(
      python as string,
      [join(import.meta.dirname, 'txn_copier.py')],
      {
        EDDY_BOOTSTRAP: broker.bootstrap,
        EDDY_IN: 'copier-in',
        EDDY_OUT: 'copier-out',
        EDDY_GROUP: 'copier',
        EDDY_INSTANCE: String(instance),
        EDDY_SEED: String(SEED + instance),
        EDDY_EXIT_WHEN_DONE: exitWhenDone ? '1' : '',
      },
      {
        stdout: (line) => {
          const event = JSON.parse(line) as { committed?: string[]; done?: boolean };
          if (event.committed) seenCommitted.push(...event.committed);
          if (event.done) done = true;
        },
      },
    );
    return { child, isDone: () => done };
  };

  for (let instance = 0; instance < KILLS; instance++) {
    inputs.push(...(await addInput(inputs.length, PER_ROUND)));
    const committedBefore = seenCommitted.length;
    const { child } = run(instance, false);
    // Kill a little after the copier has committed its first transaction here, while it is busy with
    // the next ones. Waiting for that (rather than a fixed time) keeps a slow start-up on a loaded
    // machine from turning every kill into a kill before any transaction began.
    const deadline = Date.now() + 30_000;
    while (seenCommitted.length === committedBefore && child.running && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, rng() * 400));
    if (child.running) killedMidway++;
    child.kill();
    await child.exited;
  }
  const last = run(KILLS, true);
  const timer = setTimeout(() => last.child.kill(), 60_000);
  const code = await last.child.exited;
  clearTimeout(timer);
  assert.equal(code, 0, `the last copier must finish: ${last.child.stderr.slice(-800)}`);
  assert.ok(last.isDone(), 'the last copier caught up with its input');
  assert.ok(killedMidway >= KILLS, `only ${killedMidway} of ${KILLS} kills hit a running copier`);

  const consumed = await readTopic(broker.bootstrap, 'copier-out', { readCommitted: true });
  const outcomes = await txnOutcomes(socket, 'copier-out', PARTITIONS);
  t.diagnostic(
    `${inputs.length} inputs, ${KILLS} kills; output: ${outcomes.committed.length} committed, ` +
      `${outcomes.aborted.length} aborted, ${outcomes.open.length} open`,
  );
  assert.ok(outcomes.aborted.length > 0, 'no transaction was ever aborted: the kills proved nothing');
  assert.deepEqual(outcomes.open, [], 'no transaction is left open');

  // Exactly one committed copy of each input record.
  const copies = new Map<string, number>();
  for (const r of consumed) {
    const input = r.value.replace(/^out:/, '').replace(/@\d+$/, '');
    copies.set(input, (copies.get(input) ?? 0) + 1);
  }
  const wrong = inputs.filter((v) => copies.get(v) !== 1).map((v) => `${v}×${copies.get(v) ?? 0}`);
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} inputs not copied exactly once`);
  assert.equal(consumed.length, inputs.length);

  // Everything the copier saw committed is there; nothing aborted is visible; nothing unexpected.
  const violations = checkHistory({
    acked: seenCommitted,
    consumed,
    attempted: [...outcomes.committed, ...outcomes.aborted],
    aborted: outcomes.aborted,
  });
  assert.equal(violations.length, 0, describeViolations(violations));
});
