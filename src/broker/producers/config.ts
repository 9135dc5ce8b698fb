// Settings of idempotent and transactional producers, with Kafka's names and defaults.

/** Producer-related broker settings (Kafka's names in the comments). */
export interface ProducerConfig {
  /** `producer.id.expiration.ms`: a partition forgets a producer idle this long (1 day). */
  producerIdExpirationMs: number;
  /** `producer.id.expiration.check.interval.ms` (10 minutes). */
  producerIdExpirationCheckIntervalMs: number;
  /** `transactional.id.expiration.ms`: an idle transactional id is forgotten after this long (7 days). */
  transactionalIdExpirationMs: number;
  /** `transaction.max.timeout.ms`: InitProducerId refuses a longer transaction timeout (15 minutes). */
  transactionMaxTimeoutMs: number;
  /** `transaction.abort.timed.out.transaction.cleanup.interval.ms`: how often timeouts are checked (10 s). */
  transactionAbortTimedOutIntervalMs: number;
}

/** Kafka's defaults. */
export const DEFAULT_PRODUCER_CONFIG: Readonly<ProducerConfig> = {
  producerIdExpirationMs: 86_400_000,
  producerIdExpirationCheckIntervalMs: 600_000,
  transactionalIdExpirationMs: 604_800_000,
  transactionMaxTimeoutMs: 900_000,
  transactionAbortTimedOutIntervalMs: 10_000,
};
