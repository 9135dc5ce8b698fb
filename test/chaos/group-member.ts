// A consumer-group member for the broker kill -9 test (@platformatic/kafka): it reads a topic from its
// committed offsets, commits what it read, and keeps doing so across broker crashes, the way an
// application's consume loop would: when the client gives up on a dead broker, the same Consumer is
// asked to consume again (so it rejoins with its member id); if that fails too, a new Consumer of the
// same group takes over. `restart()` replaces the client on demand (a graceful leave, then a new
// member that must resume from the committed offsets). It records everything it read, which commits
// the broker acknowledged, and where each (re)start resumed, for the test to check.
import { Consumer, type MessagesStream, stringDeserializers } from '@platformatic/kafka';
import type { ConsumedRecord } from './checker.ts';

/** Where the member consumes from, and the group it joins. */
export interface GroupMemberOptions {
  bootstrap: string;
  topic: string;
  groupId: string;
}

/** One (re)start of consumption: what had been acknowledged then, and where each partition resumed. */
export interface Resume {
  /** Per partition, the highest committed offset the broker had acknowledged before this start. */
  readonly committedBefore: ReadonlyMap<number, number>;
  /** Per partition, the offset of the first record read after this start. */
  readonly firstOffsets: Map<number, number>;
}

type StringConsumer = Consumer<string, string, string, string>;

/**
 * A group member that consumes and commits until `stop()`.
 *
 * @example
 * const member = new GroupMember({ bootstrap, topic: 'kill9', groupId: 'g' });
 * member.start();
 * await member.waitUntil(() => member.consumed.length >= 100, 10_000);
 * await member.stop();
 */
export class GroupMember {
  /** Every record read, in order; after a restart some are read again (at-least-once). */
  readonly consumed: ConsumedRecord[] = [];
  /** Per partition, the highest offset whose commit the broker acknowledged (the next offset to read). */
  readonly acknowledged = new Map<number, number>();
  readonly resumes: Resume[] = [];
  /** Errors that ended a consume loop (the broker dying, mostly), for failure messages. */
  readonly errors: string[] = [];
  /** Heartbeats the broker answered without error: a member that is in the group right now. */
  heartbeats = 0;
  private readonly options: GroupMemberOptions;
  private stopped = false;
  private restartRequested = false;
  private running: Promise<void> | undefined;
  private stream: MessagesStream<string, string, string, string> | undefined;

  constructor(options: GroupMemberOptions) {
    this.options = options;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops consuming and closes the client. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.stream?.close().catch(() => {});
    await this.running;
  }

  /**
   * Ends the current consumer with a graceful leave and starts a new member of the group, which resumes
   * from the committed offsets. Resolves once the new member has started consuming.
   */
  async restart(): Promise<void> {
    const starts = this.resumes.length;
    this.restartRequested = true;
    await this.stream?.close().catch(() => {});
    await this.waitUntil(() => this.resumes.length > starts, 30_000);
  }

  /** Resolves once `done()` holds, checking every 50 ms; false if `timeoutMs` passed first. */
  async waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }

  private async run(): Promise<void> {
    let consumer = this.newConsumer();
    let failuresInARow = 0;
    while (!this.stopped) {
      const ok = await this.consumeOnce(consumer);
      if (this.stopped) break;
      if (this.restartRequested) {
        this.restartRequested = false;
        await consumer.close().catch(() => {}); // not forced: leaves the group, so no rebalance waits for it
        consumer = this.newConsumer();
        failuresInARow = 0;
        continue;
      }
      failuresInARow = ok ? 0 : failuresInARow + 1;
      if (failuresInARow >= 3) {
        // The client may be stuck in a state it cannot leave: replace it with a new member.
        await consumer.close(true).catch(() => {});
        consumer = this.newConsumer();
        failuresInARow = 0;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await consumer.close(true).catch(() => {});
  }

  /** One consume loop until the stream ends or fails; true if it read anything. */
  private async consumeOnce(consumer: StringConsumer): Promise<boolean> {
    const resume: Resume = { committedBefore: new Map(this.acknowledged), firstOffsets: new Map() };
    let read = false;
    try {
      const stream = await consumer.consume({
        topics: [this.options.topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
        maxWaitTime: 200,
      });
      this.stream = stream;
      if (this.stopped || this.restartRequested) {
        await stream.close();
        return false;
      }
      this.resumes.push(resume);
      for await (const message of stream) {
        const partition = message.partition;
        const offset = Number(message.offset);
        read = true;
        this.consumed.push({ partition, offset, value: message.value ?? '<null>' });
        if (!resume.firstOffsets.has(partition)) resume.firstOffsets.set(partition, offset);
        // Not awaited: the client coalesces commits of a partition into one request in flight. The
        // broker's acknowledgement is what counts, so only a resolved commit is recorded.
        Promise.resolve(message.commit()).then(
          () => {
            if ((this.acknowledged.get(partition) ?? -1) < offset + 1)
              this.acknowledged.set(partition, offset + 1);
          },
          () => {},
        );
      }
    } catch (error) {
      this.errors.push((error as Error).message);
    }
    return read;
  }

  private newConsumer(): StringConsumer {
    const consumer: StringConsumer = new Consumer({
      clientId: `kill9-member-${this.options.groupId}`,
      bootstrapBrokers: [this.options.bootstrap],
      groupId: this.options.groupId,
      deserializers: stringDeserializers,
      // The broker's minimum; a replaced member's old session then expires within 6 s.
      sessionTimeout: 6_000,
      rebalanceTimeout: 6_000,
      heartbeatInterval: 500,
      retries: 3,
      retryDelay: 250,
      timeout: 3_000,
    });
    consumer.on('consumer:heartbeat:end', () => {
      this.heartbeats++;
    });
    return consumer;
  }
}
