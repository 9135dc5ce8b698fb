import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type TestContext, test } from 'node:test';
import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import { isStreamError } from '../../common/errors.ts';
import { batchOf } from '../batch.ts';
import { InputGate } from '../input-gate.ts';
import type { ChannelMessage } from '../messages.ts';
import { ChannelInbox, ChannelOutbox } from './thread-channel.ts';

// This file is also the script of the worker threads the tests start (see the bottom): a real second
// thread, so credits and messages cross threads as they do in a job.

type Role =
  | { role: 'reader'; port: MessagePort; capacity: number }
  | { role: 'writer'; port: MessagePort; capacity: number; count: number; step: number }
  | { role: 'idle-exit'; close: boolean };
type Command = { op: 'await'; size: number } | { op: 'read'; count: number } | { op: 'close' };
interface Reply {
  messages: ChannelMessage[];
  size: number;
  pushes: number;
}

const exits = new WeakMap<Worker, Promise<[number]>>();
/** Resolves with the worker's exit code. */
const exited = async (worker: Worker): Promise<number> => (await exits.get(worker)!)[0];

/** Starts a worker running `role`; it and `ends` are torn down after the test, so a failure cannot hang. */
function startWorker(
  t: TestContext,
  role: Role,
  transfer: MessagePort[],
  ends: { close(): void }[] = [],
): Worker {
  const worker = new Worker(new URL(import.meta.url), { workerData: role, transferList: transfer });
  // Listening from the start: a worker's last message and its exit can arrive in one turn of the event
  // loop, before a listener attached after that message would be.
  exits.set(worker, once(worker, 'exit') as Promise<[number]>);
  t.after(async () => {
    for (const end of ends) end.close();
    await worker.terminate();
  });
  return worker;
}

// A broken credit or ref count shows up as a hang; the timeout turns it into a failure.
const WORKER_TEST = { timeout: 10_000 };

/** Sends a command to a reader worker and waits for its answer. */
async function ask(worker: Worker, command: Command): Promise<Reply> {
  worker.postMessage(command);
  const [reply] = (await once(worker, 'message')) as [Reply];
  return reply;
}

const data = (seq: number): ChannelMessage => ({
  kind: 'data',
  batch: batchOf([{ seq, name: `r${seq}` }], [seq]),
});

if (isMainThread) {
  test(
    'every message kind crosses to another thread in order, and onPush fires for each',
    WORKER_TEST,
    async (t) => {
      const { port1, port2 } = new MessageChannel();
      const outbox = new ChannelOutbox(port1, 8);
      const worker = startWorker(t, { role: 'reader', port: port2, capacity: 8 }, [port2], [outbox]);
      const sent: ChannelMessage[] = [
        data(1),
        { kind: 'watermark', time: 1000 },
        { kind: 'idle', idle: true },
        { kind: 'idle', idle: false },
        { kind: 'barrier', checkpointId: 7 },
        { kind: 'data', batch: batchOf([1, 2, 3], [10, 20, 30]) },
        // Large enough to go as columns (see batch-codec.ts).
        {
          kind: 'data',
          batch: batchOf(Array.from({ length: 500 }, (_, i) => ({ id: i, page: `/p${i % 3}` }))),
        },
        { kind: 'end' },
      ];
      for (const message of sent) outbox.push(message);
      assert.deepEqual((await ask(worker, { op: 'await', size: sent.length })).pushes, sent.length);
      assert.deepEqual((await ask(worker, { op: 'read', count: sent.length })).messages, sent);
      outbox.close();
      await exited(worker);
    },
  );

  test(
    'a writer stops at capacity plus one step and resumes only when the reader takes messages',
    WORKER_TEST,
    async (t) => {
      const { port1, port2 } = new MessageChannel();
      const outbox = new ChannelOutbox(port1, 4);
      const worker = startWorker(t, { role: 'reader', port: port2, capacity: 4 }, [port2], [outbox]);
      let seq = 0;
      const step = (): void => {
        for (let i = 0; i < 3; i++) outbox.push(data(seq++));
      };
      step();
      assert.equal(outbox.hasSpace, true, 'three of four credits used');
      step();
      assert.equal(outbox.hasSpace, false);
      let resumed = false;
      const space = outbox.whenSpace().then(() => {
        resumed = true;
      });
      assert.equal((await ask(worker, { op: 'await', size: 6 })).size, 6, 'capacity 4 + one step of 3 - 1');
      assert.equal(resumed, false, 'no credit comes back while the reader takes nothing');
      await ask(worker, { op: 'read', count: 4 }); // two groups of two credits: 4 - 6 + 4 = 2
      await space;
      assert.equal(outbox.hasSpace, true);
      outbox.push({ kind: 'end' });
      const rest = await ask(worker, { op: 'read', count: 3 });
      assert.deepEqual(
        rest.messages.map((m) => (m.kind === 'data' ? (m.batch.values[0] as { seq: number }).seq : m.kind)),
        [4, 5, 'end'],
      );
      outbox.close();
      await exited(worker);
    },
  );

  test(
    'a writer thread streams thousands of messages to a slow reader, in order and within the bound',
    WORKER_TEST,
    async (t) => {
      const capacity = 8;
      const stepSize = 3;
      const { port1, port2 } = new MessageChannel();
      const inbox = new ChannelInbox(port2, capacity);
      const role: Role = { role: 'writer', port: port1, capacity, count: 3000, step: stepSize };
      const worker = startWorker(t, role, [port1], [inbox]);
      const gate = new InputGate([{ channel: inbox, port: 0 }]);
      const signal = new AbortController().signal;
      let expected = 0;
      let watermarks = 0;
      let maxSize = 0;
      for (;;) {
        maxSize = Math.max(maxSize, inbox.size);
        const next = gate.poll();
        if (next === undefined) {
          await gate.wait(Number.POSITIVE_INFINITY, signal);
          continue;
        }
        const message = next.message;
        if (message.kind === 'end') break;
        if (message.kind === 'watermark') watermarks++;
        else if (message.kind === 'data')
          assert.deepEqual(message.batch.values, [{ seq: expected, name: `r${expected++}` }]);
        // Yielding to the event loop between reads lets the writer fill the channel as far as it may.
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(expected, 3000);
      assert.equal(watermarks, 300);
      assert.ok(maxSize <= capacity + stepSize, `the channel held ${maxSize} messages`);
      inbox.close();
      await exited(worker);
    },
  );

  test('a record that cannot be cloned fails with ENG_RECORD_NOT_TRANSFERABLE and sends nothing', async () => {
    const { port1, port2 } = new MessageChannel();
    const outbox = new ChannelOutbox(port1, 1);
    const inbox = new ChannelInbox(port2, 1);
    const refused = (values: unknown[], found: RegExp) =>
      assert.throws(
        () => outbox.push({ kind: 'data', batch: batchOf(values) }),
        (error: unknown) =>
          isStreamError(error, 'ENG_RECORD_NOT_TRANSFERABLE') &&
          found.test(error.message) &&
          /parallelism > 1/.test(error.message) &&
          /plain data/.test(error.message),
      );
    refused(
      [{ id: 1 }, { id: 2, onClick() {} }],
      /record 1 of a batch .* record\.onClick is a function \(onClick\)/,
    );
    refused(
      [{ tags: new Map([['a', Symbol('s')]]) }],
      /record\.tags\.get\("a"\) is a symbol \(Symbol\(s\)\)/,
    );
    refused([{ id: 1, cache: new WeakMap() }], /record\.cache is a WeakMap, which cannot be copied/);
    refused([1, () => 2], /record 1 of a batch .* the record is a function/);
    // A batch large enough to go as columns: the function sits in a cloned column.
    const big = Array.from({ length: 300 }, (_, i) => ({ id: i, items: i === 250 ? [0, { run() {} }] : [] }));
    refused(big, /record 250 of a batch .* record\.items\[1\]\.run is a function \(run\)/);
    assert.equal(outbox.hasSpace, true, 'a refused batch costs no credit');
    outbox.push(data(9));
    await new Promise<void>((resolve) => {
      inbox.onPush = resolve;
    });
    assert.deepEqual(inbox.shift(), data(9));
    assert.equal(inbox.size, 0, 'nothing of the refused batches arrived');
    outbox.close();
    inbox.close();
  });

  test('channels that ended or were closed let their thread exit', WORKER_TEST, async (t) => {
    // Each worker leaves its channels open or closes them, then returns: it must exit on its own.
    for (const close of [false, true]) {
      const worker = startWorker(t, { role: 'idle-exit', close }, []);
      const code = await exited(worker);
      assert.equal(code, 0);
    }
  });

  test('capacity and credit group are checked', () => {
    const { port1, port2 } = new MessageChannel();
    assert.throws(() => new ChannelOutbox(port1, 0), /capacity must be a whole number >= 1, got 0/);
    assert.throws(() => new ChannelInbox(port2, 4, { creditBatch: 5 }), /creditBatch must be .* got 5/);
    port1.close();
  });
} else {
  await runWorker(workerData as Role);
}

async function runWorker(role: Role): Promise<void> {
  if (role.role === 'reader') runReader(role.port, role.capacity);
  else if (role.role === 'writer') await runWriter(role);
  else await runIdleExit(role.close);
}

/** Answers commands from the test: wait until n messages arrived, read n messages, close. */
function runReader(port: MessagePort, capacity: number): void {
  const inbox = new ChannelInbox(port, capacity);
  let pushes = 0;
  let wake: (() => void) | undefined;
  inbox.onPush = () => {
    pushes++;
    wake?.();
  };
  const arrival = () => new Promise<void>((resolve) => (wake = resolve));
  const reply = (messages: ChannelMessage[]) =>
    parentPort!.postMessage({ messages, size: inbox.size, pushes } satisfies Reply);
  parentPort!.on('message', async (command: Command) => {
    if (command.op === 'await') {
      while (inbox.size < command.size) await arrival();
      reply([]);
    } else if (command.op === 'read') {
      const messages: ChannelMessage[] = [];
      while (messages.length < command.count) {
        const message = inbox.shift();
        if (message === undefined) await arrival();
        else messages.push(message);
      }
      reply(messages);
      if (messages.at(-1)?.kind === 'end') {
        inbox.close();
        parentPort!.close();
      }
    }
  });
}

/** Pushes `count` batches (and a watermark every 10), a step of `step` messages between waits, then end. */
async function runWriter(role: Extract<Role, { role: 'writer' }>): Promise<void> {
  const outbox = new ChannelOutbox(role.port, role.capacity);
  for (let seq = 0; seq < role.count; ) {
    if (!outbox.hasSpace) await outbox.whenSpace();
    for (let i = 0; i < role.step && seq < role.count; i++) {
      outbox.push(data(seq));
      if (seq++ % 10 === 9) outbox.push({ kind: 'watermark', time: seq });
    }
  }
  outbox.push({ kind: 'end' });
  outbox.close(); // right after end: what was sent must still arrive
}

/** Both ends in this thread: an ended channel, and a writer blocked on credits; closed only if asked. */
async function runIdleExit(close: boolean): Promise<void> {
  const ended = new MessageChannel();
  const endedOut = new ChannelOutbox(ended.port1, 2);
  const endedIn = new ChannelInbox(ended.port2, 2);
  endedOut.push({ kind: 'end' });
  await new Promise<void>((resolve) => (endedIn.onPush = resolve));
  const blocked = new MessageChannel();
  const blockedOut = new ChannelOutbox(blocked.port1, 1);
  const blockedIn = new ChannelInbox(blocked.port2, 1);
  blockedOut.push(data(1));
  void blockedOut.whenSpace(); // holds the thread until a credit comes, or until the channel closes
  if (close) {
    blockedOut.close();
    blockedIn.close();
  } else {
    // Taking the message returns the credit, which releases the writer; then the channel ends.
    await new Promise<void>((resolve) => (blockedIn.onPush = resolve));
    blockedIn.shift();
    await blockedOut.whenSpace();
    blockedOut.push({ kind: 'end' });
  }
}
