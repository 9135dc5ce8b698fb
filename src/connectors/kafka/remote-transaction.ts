// The Kafka transaction of a process, used from worker threads: the one KafkaTransaction lives in the
// main thread (a second producer with the same transactional id would fence it, and a second id would
// split a checkpoint over two transactions); each worker's writers reach it through a proxy that sends
// every call over the worker's service pipe, answered by serveTransactions in the main thread. See
// docs/internals/exactly-once.md.
import type { MessageToProduce } from '@platformatic/kafka';
import { StreamError } from '../../common/errors.ts';
import type { OffsetWithMetadata } from '../../kafka/transaction-offsets.ts';
import {
  provideSharedTransactions,
  type SharedTransaction,
  type SharedTransactionOptions,
  transactionalIdOf,
} from './kafka-transaction.ts';
import {
  type Call,
  fromWire,
  isOurs,
  type Reply,
  type Request,
  SERVICE,
  type ServicePipe,
} from './transaction-wire.ts';

export { serveTransactions } from './serve-transactions.ts';
export type { ServicePipe } from './transaction-wire.ts';

/**
 * Worker side: makes sharedTransaction() of this realm return proxies of the main thread's transaction,
 * which `serveTransactions` answers at the other end of `pipe`. Call it once per worker, before any
 * sink writer opens.
 *
 * @example
 * useTransactionsOf(pipe); // then kafka sink writers of this worker share the main thread's transaction
 */
export function useTransactionsOf(pipe: ServicePipe): void {
  provideSharedTransactions(remoteTransactions(pipe));
}

/**
 * Worker side, without touching the realm's sharedTransaction(): a function that opens a proxy of the
 * transaction the main thread shares for `options`.
 *
 * @example
 * const open = remoteTransactions(pipe);
 * const txn = open({ jobId, bootstrap, processIndex: 0, timeoutMs: 60_000 });
 * await txn.join(writer);
 */
export function remoteTransactions(
  pipe: ServicePipe,
): (options: SharedTransactionOptions) => SharedTransaction {
  const client = new TransactionClient(pipe);
  return (options) => client.open(options);
}

class TransactionClient {
  private readonly pipe: ServicePipe;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private readonly memberIds = new WeakMap<object, number>();
  private nextId = 1;
  private nextHandle = 1;
  private nextMember = 1;

  constructor(pipe: ServicePipe) {
    this.pipe = pipe;
    pipe.onMessage((message) => {
      if (!isOurs(message)) return;
      const reply = message as Reply;
      const settle = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      settle?.(reply);
    });
  }

  open(options: SharedTransactionOptions): SharedTransaction {
    const handle = this.nextHandle++;
    // The main thread resolves the transaction now, in pipe order; a refusal (a differing timeout)
    // comes back as the answer to join().
    this.pipe.send({ service: SERVICE, op: 'open', handle, options } satisfies Request);
    return new RemoteTransaction(this, handle, options);
  }

  memberId(member: object): number {
    let id = this.memberIds.get(member);
    if (id === undefined) {
      id = this.nextMember++;
      this.memberIds.set(member, id);
    }
    return id;
  }

  /** Sends `call` at once (so calls reach the main thread in the order they were made) and awaits its reply. */
  request(handle: number, call: Call): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve);
      try {
        this.pipe.send({ ...call, service: SERVICE, id, handle } satisfies Request);
      } catch (error) {
        this.waiting.delete(id);
        reject(
          new StreamError(
            'CON_KAFKA_TRANSACTION_FAILED',
            `kafka sink (exactly-once): cannot pass "${call.op}" to the main thread's transaction: ` +
              `${error instanceof Error ? error.message : String(error)}. Records must hold only ` +
              'topic, key, value, headers, partition and timestamp.',
            { cause: error },
          ),
        );
      }
    });
  }
}

/** A worker's stand-in for the main thread's KafkaTransaction; `failed` is as of the last answer. */
class RemoteTransaction implements SharedTransaction {
  readonly transactionalId: string;
  readonly bootstrap: string;
  readonly timeoutMs: number;
  private readonly client: TransactionClient;
  private readonly handle: number;
  private lastFailed = false;

  constructor(client: TransactionClient, handle: number, options: SharedTransactionOptions) {
    this.client = client;
    this.handle = handle;
    this.transactionalId = transactionalIdOf(options);
    this.bootstrap = options.bootstrap;
    this.timeoutMs = options.timeoutMs;
  }

  get failed(): boolean {
    return this.lastFailed;
  }

  join(member: object): Promise<void> {
    return this.call({ op: 'join', member: this.client.memberId(member) });
  }

  send(segment: number, messages: MessageToProduce[], bytes: number): Promise<void> {
    // Buffers are copied, not transferred: small ones are views of a pool other Buffers share.
    return this.call({ op: 'send', segment, messages, bytes });
  }

  flush(): Promise<void> {
    return this.call({ op: 'flush' });
  }

  commit(checkpointId: number, offsets: ReadonlyMap<string, readonly OffsetWithMetadata[]>): Promise<void> {
    return this.call({ op: 'commit', checkpointId, offsets });
  }

  endOfInput(member: object): Promise<void> {
    return this.call({ op: 'endOfInput', member: this.client.memberId(member) });
  }

  leave(member: object): Promise<void> {
    return this.call({ op: 'leave', member: this.client.memberId(member) });
  }

  private async call(call: Call): Promise<void> {
    const reply = await this.client.request(this.handle, call);
    this.lastFailed = reply.failed;
    if (reply.error !== undefined) throw fromWire(reply.error);
  }
}
