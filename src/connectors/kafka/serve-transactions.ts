// The main thread's side of the process's Kafka transaction: answers the calls of one worker's proxies
// (remote-transaction.ts) on this thread's sharedTransaction(). See docs/internals/exactly-once.md.
import type { MessageToProduce } from '@platformatic/kafka';
import { StreamError } from '../../common/errors.ts';
import {
  type SharedTransaction,
  type SharedTransactionOptions,
  sharedTransaction,
} from './kafka-transaction.ts';
import {
  asStreamError,
  type Call,
  isOurs,
  type Reply,
  type Request,
  SERVICE,
  type ServicePipe,
  toWire,
  type WireMessage,
} from './transaction-wire.ts';

/** A transaction the main thread shares with one worker's proxy, and the members that joined through it. */
interface Served {
  readonly txn: SharedTransaction | undefined;
  /** Why sharedTransaction() refused the proxy's options; every call but leave fails with it. */
  readonly refusal: StreamError | undefined;
  readonly members: Set<number>;
}

/**
 * Main side: answers the transaction calls a worker's proxies send over `pipe`, on the transactions of
 * this thread's sharedTransaction(), so every worker of the process shares one per job and cluster.
 * `close()` makes every member of that worker leave (call it when the worker ends, whatever the reason:
 * a dead worker must not keep the transaction open until it times out).
 *
 * @example
 * const service = serveTransactions(pipe); // one per worker
 * worker.once('exit', () => void service.close());
 */
export function serveTransactions(pipe: ServicePipe): { close(): Promise<void> } {
  const handles = new Map<number, Served>();
  /** One token per remote member: the main side's stand-in for the worker's writer object. */
  const tokens = new Map<number, object>();
  let closing: Promise<void> | undefined;

  const tokenOf = (member: number): object => {
    let token = tokens.get(member);
    if (token === undefined) {
      token = { remoteMember: member };
      tokens.set(member, token);
    }
    return token;
  };

  // Runs a call synchronously up to the transaction's own queue, so calls enter it in pipe order.
  const run = (served: Served | undefined, call: Call): Promise<void> => {
    if (closing !== undefined) return Promise.reject(stopped());
    if (served === undefined) return Promise.reject(unknownHandle());
    if (call.op === 'leave') {
      served.members.delete(call.member);
      const token = tokenOf(call.member);
      if (![...handles.values()].some((s) => s.members.has(call.member))) tokens.delete(call.member);
      return served.txn === undefined ? Promise.resolve() : served.txn.leave(token);
    }
    if (served.txn === undefined) return Promise.reject(served.refusal);
    switch (call.op) {
      case 'join':
        served.members.add(call.member);
        return served.txn.join(tokenOf(call.member));
      case 'endOfInput':
        return served.txn.endOfInput(tokenOf(call.member));
      case 'send':
        return served.txn.send(call.segment, call.messages.map(asProducible), call.bytes);
      case 'flush':
        return served.txn.flush();
      case 'commit':
        return served.txn.commit(call.checkpointId, call.offsets);
    }
  };

  pipe.onMessage((message) => {
    if (!isOurs(message)) return;
    const request = message as Request;
    if (request.op === 'open') {
      // After close() nothing may open a transaction that no member would ever leave.
      if (closing === undefined) handles.set(request.handle, open(request.options));
      return;
    }
    const served = handles.get(request.handle);
    const answer = (error?: unknown): void => {
      if (request.op === 'leave' && served?.members.size === 0) handles.delete(request.handle);
      const failed = served?.txn?.failed ?? true;
      const reply: Reply = { service: SERVICE, id: request.id, failed };
      const wire = error === undefined ? undefined : toWire(error);
      const attempts: Reply[] =
        wire === undefined
          ? [reply]
          : [
              { ...reply, error: wire },
              { ...reply, error: { ...wire, details: {} } },
            ];
      // Details that cannot be cloned are dropped rather than leaving the worker waiting; a worker that
      // is gone cannot be answered, and must not fail this thread.
      for (const attempt of attempts) {
        try {
          pipe.send(attempt);
          return;
        } catch {}
      }
    };
    let done: Promise<void>;
    try {
      done = run(served, request);
    } catch (error) {
      done = Promise.reject(error);
    }
    done.then(() => answer(), answer);
  });

  return {
    close() {
      closing ??= (async () => {
        const leaving: Promise<void>[] = [];
        for (const served of handles.values()) {
          for (const member of served.members) {
            if (served.txn !== undefined) leaving.push(served.txn.leave(tokenOf(member)));
          }
        }
        handles.clear();
        await Promise.allSettled(leaving);
      })();
      return closing;
    },
  };
}

function open(options: SharedTransactionOptions): Served {
  try {
    return { txn: sharedTransaction(options), refusal: undefined, members: new Set() };
  } catch (error) {
    return { txn: undefined, refusal: asStreamError(error), members: new Set() };
  }
}

/** The producer reads keys, values and headers as Buffers; structured clone made them Uint8Arrays. */
function asProducible(message: WireMessage): MessageToProduce {
  const { key, value, headers, ...rest } = message;
  const produced: MessageToProduce = { ...rest };
  if (key !== undefined) produced.key = asBuffer(key);
  if (value !== undefined) produced.value = asBuffer(value);
  if (headers instanceof Map) {
    produced.headers = new Map([...headers].map(([k, v]) => [asBuffer(k), asBuffer(v)]));
  } else if (headers !== undefined) {
    produced.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, asBuffer(v)]));
  }
  return produced;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function stopped(): StreamError {
  return new StreamError(
    'CON_KAFKA_TRANSACTION_FAILED',
    "kafka sink (exactly-once): the main thread no longer serves this worker's transaction calls (the worker " +
      'was stopped); the job restarts its writers.',
  );
}

function unknownHandle(): StreamError {
  return new StreamError(
    'CON_KAFKA_TRANSACTION_FAILED',
    'kafka sink (exactly-once): the main thread knows no transaction for this call; its writer had left ' +
      'it. Open the writer again.',
  );
}
