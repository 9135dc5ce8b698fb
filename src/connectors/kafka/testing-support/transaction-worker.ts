// A worker thread for the remote transaction tests: its realm uses the main thread's Kafka transaction
// through useTransactionsOf(), and it makes the calls the test thread asks for, as kafka sink writers
// make them (open = sharedTransaction(), then join, send, commit, endOfInput, leave).
import { parentPort } from 'node:worker_threads';
import type { MessageToProduce } from '@platformatic/kafka';
import { StreamError } from '../../../common/errors.ts';
import type { OffsetWithMetadata } from '../../../kafka/transaction-offsets.ts';
import {
  type SharedTransaction,
  type SharedTransactionOptions,
  sharedTransaction,
} from '../kafka-transaction.ts';
import { type ServicePipe, useTransactionsOf } from '../remote-transaction.ts';

/** One call, made on behalf of the writer named `member`. */
export type Step =
  | { op: 'open'; member: string; options: SharedTransactionOptions }
  | { op: 'join' | 'flush' | 'endOfInput' | 'leave'; member: string }
  /** Sends one record per value, keyed by the value, with header `writer: <member>`. */
  | { op: 'send'; member: string; segment: number; topic: string; values: string[] }
  | { op: 'commit'; member: string; checkpointId: number; offsets: Map<string, OffsetWithMetadata[]> };

export type ToTransactionWorker =
  | { type: 'service'; payload: unknown }
  | { type: 'step'; call: number; step: Step };

/** How a step ended; `error` as the worker saw it (a StreamError of the worker's own realm or not). */
export interface StepResult {
  transactionalId: string;
  failed: boolean;
  error?: { streamError: boolean; code?: string; message: string };
}

export type FromTransactionWorker =
  | { type: 'service'; payload: unknown }
  | ({ type: 'stepped'; call: number } & StepResult);

const port = parentPort;
if (port === null) throw new Error('transaction-worker.ts runs as a worker thread');

const handlers: ((message: unknown) => void)[] = [];
const pipe: ServicePipe = {
  send: (payload, transfer) => port.postMessage({ type: 'service', payload }, transfer),
  onMessage: (handler) => handlers.push(handler),
};
useTransactionsOf(pipe);

const txns = new Map<string, SharedTransaction>();
/** Stand-ins for sink writers: the member objects the transaction tracks. */
const members = new Map<string, object>();

function run(step: Step): Promise<void> {
  if (step.op === 'open') {
    txns.set(step.member, sharedTransaction(step.options));
    members.set(step.member, { writer: step.member });
    return Promise.resolve();
  }
  const txn = txns.get(step.member);
  const member = members.get(step.member);
  if (txn === undefined || member === undefined) throw new Error(`no writer "${step.member}" was opened`);
  switch (step.op) {
    case 'join':
      return txn.join(member);
    case 'flush':
      return txn.flush();
    case 'endOfInput':
      return txn.endOfInput(member);
    case 'leave':
      return txn.leave(member);
    case 'send': {
      const messages: MessageToProduce[] = step.values.map((value) => ({
        topic: step.topic,
        key: Buffer.from(value),
        value: Buffer.from(value),
        headers: new Map([[Buffer.from('writer'), Buffer.from(step.member)]]),
      }));
      const bytes = step.values.reduce((n, v) => n + 2 * Buffer.byteLength(v), 0);
      return txn.send(step.segment, messages, bytes);
    }
    case 'commit':
      return txn.commit(step.checkpointId, step.offsets);
  }
}

port.on('message', (message: ToTransactionWorker) => {
  if (message.type === 'service') {
    for (const handler of handlers) handler(message.payload);
    return;
  }
  const { call, step } = message;
  const answer = (error?: unknown): void => {
    const txn = txns.get(step.member);
    const result: FromTransactionWorker = {
      type: 'stepped',
      call,
      transactionalId: txn?.transactionalId ?? '',
      failed: txn?.failed ?? false,
    };
    if (error !== undefined) {
      result.error = {
        streamError: error instanceof StreamError,
        code: error instanceof StreamError ? error.code : undefined,
        message: error instanceof Error ? error.message : String(error),
      };
    }
    port.postMessage(result);
  };
  // Called at once, as a sink writer calls its transaction: calls reach the pipe in the order made.
  let done: Promise<void>;
  try {
    done = run(step);
  } catch (error) {
    done = Promise.reject(error);
  }
  done.then(() => answer(), answer);
});
