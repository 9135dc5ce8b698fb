import { StreamError } from '../../common/errors.ts';
import type { CheckpointingContext } from '../../engine/sink.ts';

/** Transaction timeout when the config names none and checkpoints are quick. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;
/** Kafka's default transaction.max.timeout.ms: brokers refuse longer transaction timeouts. */
const BROKER_MAX_TRANSACTION_TIMEOUT_MS = 15 * 60_000;
/** Time a default transaction timeout leaves beyond interval + timeout for the commit itself. */
const COMMIT_MARGIN_MS = 60_000;

/**
 * The transaction timeout an exactly-once Kafka sink uses, checked against the job's checkpointing: a
 * transaction stays open from one checkpoint's commit to the next one's, which takes up to the interval
 * plus the checkpoint timeout; a broker aborts it when its timeout passes first, losing its records.
 * Without `configured`: 60 s, or interval + timeout + 60 s when 60 s is not more than interval + timeout
 * (at most 15 minutes, Kafka's default limit).
 *
 * @example transactionTimeoutFor('kafka sink "out"', undefined, { interval: 5_000, timeout: 20_000, mode: 'exactly-once' }) // 60_000
 */
export function transactionTimeoutFor(
  label: string,
  configured: number | undefined,
  checkpointing: CheckpointingContext | undefined,
): number {
  if (checkpointing === undefined) {
    throw misconfigured(
      label,
      "guarantee 'exactly-once' needs checkpointing: its Kafka transaction commits when a checkpoint " +
        "completes. Enable checkpointing for the job, or use guarantee 'at-least-once'.",
    );
  }
  if (checkpointing.mode !== 'exactly-once') {
    throw misconfigured(
      label,
      "guarantee 'exactly-once' needs checkpointing mode 'exactly-once' (aligned barriers); with " +
        "'at-least-once' checkpoints a restore replays records the sink has committed.",
    );
  }
  const needed = checkpointing.interval + checkpointing.timeout;
  const sum = `checkpoint interval + timeout = ${checkpointing.interval} + ${checkpointing.timeout} = ${needed} ms`;
  if (configured !== undefined) {
    if (configured > needed) return configured;
    throw misconfigured(
      label,
      `transactionTimeout (${configured} ms) must exceed the ${sum}, or the broker may abort a transaction ` +
        'before its checkpoint commits it. Raise transactionTimeout (brokers allow up to ' +
        'transaction.max.timeout.ms, 15 minutes by default) or shorten the checkpoint interval or timeout.',
    );
  }
  const derived =
    needed < DEFAULT_TRANSACTION_TIMEOUT_MS
      ? DEFAULT_TRANSACTION_TIMEOUT_MS
      : Math.min(BROKER_MAX_TRANSACTION_TIMEOUT_MS, needed + COMMIT_MARGIN_MS);
  if (derived > needed) return derived;
  throw misconfigured(
    label,
    `the ${sum} is longer than a Kafka transaction may stay open by default (15 minutes). Shorten the ` +
      "checkpoint interval or timeout, or set transactionTimeout after raising the cluster's transaction.max.timeout.ms.",
  );
}

function misconfigured(label: string, what: string): StreamError {
  return new StreamError('CON_EXACTLY_ONCE_MISCONFIGURED', `${label}: ${what}`, {
    details: { connector: label },
  });
}
