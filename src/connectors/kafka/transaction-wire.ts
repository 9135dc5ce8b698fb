// The messages between a worker's transaction proxies (remote-transaction.ts) and the main thread's
// service (serve-transactions.ts), and how errors cross between them.
import type { Transferable } from 'node:worker_threads';
import type { MessageToProduce } from '@platformatic/kafka';
import { ERROR_CODES, type ErrorCode } from '../../common/error-codes/index.ts';
import { StreamError } from '../../common/errors.ts';
import type { OffsetWithMetadata } from '../../kafka/transaction-offsets.ts';
import type { SharedTransactionOptions } from './kafka-transaction.ts';

/**
 * An ordered message pipe between one worker thread and the main thread, which the runtime gives each
 * worker. It keeps order with the engine's own worker→main messages: records a writer sends before its
 * checkpoint acknowledgement reach the main thread's transaction before that checkpoint commits.
 *
 * @example
 * const pipe: ServicePipe = { send: (m) => port.postMessage(m), onMessage: (h) => port.on('message', h) };
 */
export interface ServicePipe {
  send(message: unknown, transfer?: Transferable[]): void;
  onMessage(handler: (message: unknown) => void): void;
}

/** Tags this service's messages: one pipe carries the messages of every service of a worker. */
export const SERVICE = 'eddy.kafka-transaction';

/** A record as it arrives after structured clone: Buffers have become plain Uint8Arrays. */
export type WireMessage = Omit<MessageToProduce, 'key' | 'value' | 'headers'> & {
  key?: Uint8Array;
  value?: Uint8Array;
  headers?: Map<Uint8Array, Uint8Array> | Record<string, Uint8Array>;
};

/** A call of the worker's proxy `handle` (one per sharedTransaction() call), by the member with an id. */
export type Call =
  | { op: 'join' | 'endOfInput' | 'leave'; member: number }
  | { op: 'send'; segment: number; messages: WireMessage[]; bytes: number }
  | { op: 'flush' }
  | { op: 'commit'; checkpointId: number; offsets: ReadonlyMap<string, readonly OffsetWithMetadata[]> };

/** What a worker's proxies send: `open` (no answer) when sharedTransaction() is called, then calls. */
export type Request =
  | { service: typeof SERVICE; op: 'open'; handle: number; options: SharedTransactionOptions }
  | (Call & { service: typeof SERVICE; id: number; handle: number });

/** A StreamError as data; structured clone would turn an Error into a plain one without its code. */
export interface WireError {
  code: string;
  message: string;
  details: Record<string, unknown>;
  retriable: boolean;
}

/** The answer to request `id`; `failed` is the transaction's state after it. */
export interface Reply {
  service: typeof SERVICE;
  id: number;
  failed: boolean;
  error?: WireError;
}

/**
 * Whether `message` belongs to this service (the pipe carries other services' messages too).
 *
 * @example if (!isOurs(message)) return;
 */
export const isOurs = (message: unknown): boolean =>
  typeof message === 'object' && message !== null && (message as { service?: unknown }).service === SERVICE;

/**
 * Anything the main thread's transaction threw, as the StreamError a writer would have seen.
 *
 * @example const refusal = asStreamError(error);
 */
export function asStreamError(error: unknown): StreamError {
  if (error instanceof StreamError) return error;
  return new StreamError(
    'CON_KAFKA_TRANSACTION_FAILED',
    `kafka sink (exactly-once): the main thread's transaction failed: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

/**
 * An error as plain, cloneable data: its code, message, details and retry hint (not its cause).
 *
 * @example pipe.send({ ...reply, error: toWire(error) });
 */
export function toWire(error: unknown): WireError {
  const streamError = asStreamError(error);
  const { code, message, details, retriable } = streamError;
  return { code, message, details, retriable };
}

/**
 * The StreamError again, built in the receiving realm so `instanceof StreamError` holds there.
 *
 * @example throw fromWire(reply.error);
 */
export function fromWire(wire: WireError): StreamError {
  const code: ErrorCode =
    wire.code in ERROR_CODES ? (wire.code as ErrorCode) : 'CON_KAFKA_TRANSACTION_FAILED';
  return new StreamError(code, wire.message, { details: wire.details, retriable: wire.retriable });
}
