// The process's Kafka transaction used from real worker threads: each worker's writers reach the one
// KafkaTransaction of this (main) thread through serveTransactions, and a read_committed reader sees
// their records exactly when the main thread's transaction commits. (Broker tests live here: src/ tests
// may not import test/support.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Transferable, Worker } from 'node:worker_threads';
import { isStreamError } from '../../src/common/errors.ts';
import { sharedTransaction } from '../../src/connectors/kafka/kafka-transaction.ts';
import { type ServicePipe, serveTransactions } from '../../src/connectors/kafka/remote-transaction.ts';
import type {
  FromTransactionWorker,
  Step,
  StepResult,
  ToTransactionWorker,
} from '../../src/connectors/kafka/testing-support/transaction-worker.ts';
import { withAdmin } from '../../src/kafka/admin.ts';
import { committedOffsets } from '../../src/kafka/group-offsets.ts';
import { PartitionConsumer } from '../../src/kafka/partition-consumer.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { makeTopic } from './connector-kafka-helpers.ts';

const WORKER_SCRIPT = new URL(
  '../../src/connectors/kafka/testing-support/transaction-worker.ts',
  import.meta.url,
);
const TIMEOUT_MS = 60_000;

let broker: TestBroker;
before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  await broker.stop();
});

/** A worker thread wired to this thread's transactions, as the runtime wires a task slot. */
class TransactionWorker {
  readonly service: { close(): Promise<void> };
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (result: StepResult) => void>();
  private nextCall = 1;

  constructor() {
    this.worker = new Worker(WORKER_SCRIPT);
    const handlers: ((message: unknown) => void)[] = [];
    const pipe: ServicePipe = {
      send: (payload, transfer) => this.post({ type: 'service', payload }, transfer),
      onMessage: (handler) => handlers.push(handler),
    };
    this.service = serveTransactions(pipe);
    this.worker.on('message', (message: FromTransactionWorker) => {
      if (message.type === 'service') for (const handler of handlers) handler(message.payload);
      else this.waiting.get(message.call)?.(message);
    });
  }

  step(step: Step): Promise<StepResult> {
    const call = this.nextCall++;
    return new Promise((resolve) => {
      this.waiting.set(call, resolve);
      this.post({ type: 'step', call, step });
    });
  }

  /** Runs `step` and fails the test when the worker saw an error. */
  async ok(step: Step): Promise<StepResult> {
    const result = await this.step(step);
    assert.equal(result.error, undefined, `${step.op} of ${step.member} failed in the worker`);
    return result;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  /** Terminates the worker, then makes the main side drop its members, as the runtime does. */
  async stop(): Promise<void> {
    await this.terminate();
    await this.service.close();
  }

  private post(message: ToTransactionWorker, transfer?: Transferable[]): void {
    this.worker.postMessage(message, transfer);
  }
}

const options = (jobId: string, timeoutMs = 60_000) => ({
  jobId,
  bootstrap: broker.bootstrap,
  processIndex: 0,
  timeoutMs,
});

/** What a read_committed reader sees in partition 0: offset, value, key and `writer` header. */
async function committed(topic: string) {
  const consumer = new PartitionConsumer({ bootstrap: broker.bootstrap });
  try {
    const fetched = await consumer.fetch([{ topic, partition: 0, offset: 0n }], 50);
    return fetched.flatMap((p) =>
      p.records.map((r) => ({
        offset: Number(r.offset),
        value: r.value?.toString(),
        key: r.key?.toString(),
        writer: r.headers.find(([k]) => k?.toString() === 'writer')?.[1]?.toString(),
      })),
    );
  } finally {
    await consumer.close();
  }
}

const committedValues = async (topic: string) => (await committed(topic)).map((r) => r.value);

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

const offsetsAt = (group: string, topic: string, offset: number, checkpointId: number) =>
  new Map([
    [group, [{ topic, partition: 0, offset: BigInt(offset), metadata: `eddy-checkpoint:${checkpointId}` }]],
  ]);

test('a worker writes through the main thread transaction: visible exactly when its checkpoint commits', {
  timeout: TIMEOUT_MS,
}, async () => {
  const [jobId, topic, input, group] = ['rt-job', 'rt-out', 'rt-in', 'rt-group'];
  await makeTopic(broker.bootstrap, topic, 1);
  await makeTopic(broker.bootstrap, input, 1);
  const worker = new TransactionWorker();
  try {
    const opened = await worker.ok({ op: 'open', member: 'w', options: options(jobId) });
    assert.equal(opened.transactionalId, `${jobId}-0`);
    await worker.ok({ op: 'join', member: 'w' });
    const first = ['a1', 'a2'];
    await worker.ok({ op: 'send', member: 'w', segment: Number.NEGATIVE_INFINITY, topic, values: first });
    // Written after barrier 1, before checkpoint 1 commits: held for the next transaction.
    await worker.ok({ op: 'send', member: 'w', segment: 1, topic, values: ['b1'] });
    await worker.ok({ op: 'flush', member: 'w' });
    assert.deepEqual(await committedValues(topic), [], 'nothing is visible before the commit');

    await worker.ok({ op: 'commit', member: 'w', checkpointId: 1, offsets: offsetsAt(group, input, 5, 1) });
    assert.deepEqual(await committed(topic), [
      { offset: 0, value: 'a1', key: 'a1', writer: 'w' },
      { offset: 1, value: 'a2', key: 'a2', writer: 'w' },
    ]);
    assert.deepEqual(await groupOffsets(group, input), [
      { partition: 0, offset: 5, metadata: 'eddy-checkpoint:1' },
    ]);

    await worker.ok({ op: 'send', member: 'w', segment: 2, topic, values: ['c1'] });
    await worker.ok({ op: 'commit', member: 'w', checkpointId: 2, offsets: offsetsAt(group, input, 6, 2) });
    assert.deepEqual(await committedValues(topic), ['a1', 'a2', 'b1'], 'c1 waits for checkpoint 3');
    assert.deepEqual(await groupOffsets(group, input), [
      { partition: 0, offset: 6, metadata: 'eddy-checkpoint:2' },
    ]);

    await worker.ok({ op: 'endOfInput', member: 'w' });
    assert.deepEqual(await committedValues(topic), ['a1', 'a2', 'b1', 'c1'], 'end of input commits the rest');
    const left = await worker.ok({ op: 'leave', member: 'w' });
    assert.equal(left.failed, false);
  } finally {
    await worker.stop();
  }
});

test('two workers share one transaction: one commit makes the records of both visible', {
  timeout: TIMEOUT_MS,
}, async () => {
  const [jobId, topic] = ['rt-shared', 'rt-shared-out'];
  await makeTopic(broker.bootstrap, topic, 1);
  const one = new TransactionWorker();
  const two = new TransactionWorker();
  try {
    for (const [worker, member] of [
      [one, 'one'],
      [two, 'two'],
    ] as const) {
      await worker.ok({ op: 'open', member, options: options(jobId) });
      await worker.ok({ op: 'join', member });
    }
    const before = Number.NEGATIVE_INFINITY;
    await one.ok({ op: 'send', member: 'one', segment: before, topic, values: ['x1'] });
    await two.ok({ op: 'send', member: 'two', segment: before, topic, values: ['y1'] });
    assert.equal(await lastStable(topic), 0, 'both records are in an open transaction');

    // Only worker one commits: worker two's record is in the same transaction, so it commits too.
    await one.ok({ op: 'commit', member: 'one', checkpointId: 1, offsets: new Map() });
    assert.deepEqual(
      (await committed(topic)).map((r) => [r.offset, r.value, r.writer]),
      [
        [0, 'x1', 'one'],
        [1, 'y1', 'two'],
      ],
    );
    assert.equal(await lastStable(topic), 3, 'one commit marker, at offset 2');
    await two.ok({ op: 'commit', member: 'two', checkpointId: 1, offsets: new Map() }); // already done

    // One worker leaving keeps the transaction open for the other.
    await one.ok({ op: 'leave', member: 'one' });
    await two.ok({ op: 'send', member: 'two', segment: 1, topic, values: ['y2'] });
    await two.ok({ op: 'commit', member: 'two', checkpointId: 2, offsets: new Map() });
    assert.deepEqual(await committedValues(topic), ['x1', 'y1', 'y2']);
    await two.ok({ op: 'leave', member: 'two' });
  } finally {
    await Promise.all([one.stop(), two.stop()]);
  }
});

test('a failure on the broker side reaches the worker as a StreamError with its code and message', {
  timeout: TIMEOUT_MS,
}, async () => {
  // The broker refuses a transaction timeout above transaction.max.timeout.ms (15 minutes).
  const tooLong = 16 * 60_000;
  const local = sharedTransaction(options('rt-local-refused', tooLong));
  const localMember = {};
  const expected = await local.join(localMember).then(
    () => assert.fail('the broker must refuse the timeout'),
    (error: unknown) => error,
  );
  await local.leave(localMember);
  assert.ok(isStreamError(expected, 'CON_KAFKA_TRANSACTION_FAILED'), String(expected));

  const worker = new TransactionWorker();
  try {
    await worker.ok({ op: 'open', member: 'w', options: options('rt-refused', tooLong) });
    const joined = await worker.step({ op: 'join', member: 'w' });
    assert.deepEqual(joined.error, {
      streamError: true,
      code: 'CON_KAFKA_TRANSACTION_FAILED',
      message: expected.message,
    });
    assert.equal(joined.failed, true, 'the proxy knows its transaction failed');
    await worker.ok({ op: 'leave', member: 'w' }); // as the sink does after a failed join

    // Refused by the main thread's registry: the same job's transaction with another timeout.
    await worker.ok({ op: 'open', member: 'a', options: options('rt-timeouts', 60_000) });
    await worker.ok({ op: 'open', member: 'b', options: options('rt-timeouts', 90_000) });
    const refused = await worker.step({ op: 'join', member: 'b' });
    assert.equal(refused.error?.code, 'CON_EXACTLY_ONCE_MISCONFIGURED');
    assert.match(refused.error?.message ?? '', /transactionTimeout differs \(60000 and 90000 ms\)/);
    assert.equal(refused.error?.streamError, true);
    await worker.ok({ op: 'leave', member: 'b' });
    await worker.ok({ op: 'leave', member: 'a' });
  } finally {
    await worker.stop();
  }
});

test('close() after the worker was terminated aborts the transaction it left open', {
  timeout: TIMEOUT_MS,
}, async () => {
  const [jobId, topic] = ['rt-dead', 'rt-dead-out'];
  await makeTopic(broker.bootstrap, topic, 1);
  const worker = new TransactionWorker();
  try {
    await worker.ok({ op: 'open', member: 'w', options: options(jobId) });
    await worker.ok({ op: 'join', member: 'w' });
    await worker.ok({ op: 'send', member: 'w', segment: Number.NEGATIVE_INFINITY, topic, values: ['lost'] });
    await worker.terminate();
    assert.equal(await lastStable(topic), 0, 'the dead worker left its transaction open');
    await worker.service.close();
    assert.equal(
      await lastStable(topic),
      2,
      'the record and the abort marker are below the last stable offset',
    );
    assert.deepEqual(await committedValues(topic), []);

    // The registry let go of the aborted transaction: the job's next writer starts a new one.
    const next = sharedTransaction(options(jobId));
    const member = {};
    try {
      await next.join(member);
      await next.send(Number.NEGATIVE_INFINITY, [{ topic, value: Buffer.from('next') }], 4);
      await next.commit(1, new Map());
    } finally {
      await next.leave(member);
    }
    assert.deepEqual(await committedValues(topic), ['next']);
  } finally {
    await worker.stop();
  }
});
