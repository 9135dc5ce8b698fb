// What every client's transaction tests check, on a broker that looks for timed-out transactions
// every 100 ms: what read_committed and read_uncommitted readers (kcat, on librdkafka) see, and where
// the last stable offset stands (ListOffsets latest at both isolation levels).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readTopic } from '../../chaos/read-back.ts';
import { createTopic } from '../../integration/data-path-helpers.ts';
import { latestOffset, READ_COMMITTED, READ_UNCOMMITTED } from '../../integration/txn-helpers.ts';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { KafkaSocket } from '../../support/kafka-socket.ts';

/** A broker plus a raw socket for ListOffsets. */
export interface TxnBroker {
  broker: TestBroker;
  socket: KafkaSocket;
  stop(): Promise<void>;
}

/** Starts a broker whose transaction timeouts fire within ~100 ms of expiring. */
export async function startTxnBroker(): Promise<TxnBroker> {
  const broker = await startTestBroker({ producers: { transactionAbortTimedOutIntervalMs: 100 } });
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  return {
    broker,
    socket,
    async stop() {
      socket.close();
      await broker.stop();
    },
  };
}

/** Creates a topic (CreateTopics over the raw socket). */
export function topic(env: TxnBroker, name: string, partitions = 1): Promise<void> {
  return createTopic(env.socket, name, partitions);
}

/** Values of a topic as a read_committed / read_uncommitted kcat reads them to the end, sorted. */
export async function values(env: TxnBroker, name: string, committed: boolean): Promise<string[]> {
  const read = await readTopic(env.broker.bootstrap, name, { readCommitted: committed });
  return read.map((r) => r.value).sort();
}

/** ListOffsets latest of partition 0 under read_committed (the LSO) and read_uncommitted (the HW). */
export async function stableAndHigh(env: TxnBroker, name: string): Promise<{ lso: number; hw: number }> {
  return {
    lso: await latestOffset(env.socket, name, 0, READ_COMMITTED),
    hw: await latestOffset(env.socket, name, 0, READ_UNCOMMITTED),
  };
}

/** `prefix-0 .. prefix-(n-1)`, sorted as `values` returns them. */
export function expected(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}`).sort();
}

/** Resolves once `check()` resolves true; fails naming `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The open-transaction checks: while a producer holds `count` values of `prefix` in an open transaction
 * on partition 0 of `name` after `before` committed values, read_committed readers stop before them,
 * read_uncommitted readers see them, and ListOffsets latest under read_committed is below the HW.
 */
export async function assertHeldBack(
  env: TxnBroker,
  name: string,
  before: string[],
  prefix: string,
  count: number,
) {
  const { lso, hw } = await stableAndHigh(env, name);
  assert.ok(lso < hw, `LSO ${lso} should be below HW ${hw} while the transaction is open`);
  assert.deepEqual(await values(env, name, true), [...before].sort());
  assert.deepEqual(await values(env, name, false), [...before, ...expected(prefix, count)].sort());
}

/**
 * After the producer of an open transaction died: the transaction is aborted once its timeout passes
 * (counted from when it opened, `openedAt`, a little after its real start), so the LSO catches up with
 * the HW and read_committed readers never see it.
 */
export async function assertAbortedAfterTimeout(
  env: TxnBroker,
  name: string,
  before: string[],
  openedAt: number,
  timeoutMs: number,
) {
  await eventually('the timed-out transaction to be aborted', async () => {
    const { lso, hw } = await stableAndHigh(env, name);
    return lso === hw;
  });
  assert.ok(Date.now() - openedAt >= timeoutMs - 500, 'aborted before its timeout');
  assert.deepEqual(await values(env, name, true), [...before].sort());
}

/** A child process whose stdout JSON lines are collected; `next(event)` waits for one. */
export class EventChild {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[] = [];
  stderr = '';
  private readonly exited: Promise<void>;

  constructor(command: string, args: string[], env: Record<string, string>) {
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.on('close', () => resolve()));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) this.events.push(JSON.parse(line) as Record<string, unknown>);
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  /** Waits for an event named `event` and returns it. */
  async next(event: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    await eventually(
      `event ${event} (stderr: ${this.stderr.slice(-500)})`,
      async () => this.events.some((e) => e.event === event),
      timeoutMs,
    );
    return this.events.find((e) => e.event === event)!;
  }

  /** Sends a line to stdin. */
  say(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** SIGKILL, and wait for the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Waits for the exit. */
  async done(): Promise<void> {
    await this.exited;
  }
}
