import type { ErrorCodeRegistry } from './spec.ts';

/** Errors of the sources and sinks. Codes are added with the code that raises them. */
export const CON_CODES = {
  CON_UNKNOWN_CONNECTOR: {
    domain: 'user',
    retriable: false,
    summary: 'A source or sink names a connector id that is not in the registry (or not of that kind).',
  },
  CON_INVALID_CONFIG: {
    domain: 'user',
    retriable: false,
    summary: "A connector's config does not match its schema; the message names the connector and the key.",
  },
  CON_RECORD_UNWRITABLE: {
    domain: 'user',
    retriable: false,
    summary:
      'A sink was given a value its format cannot write (e.g. a non-object for CSV, a BigInt for JSON).',
  },
  CON_FILE_UNREADABLE: {
    domain: 'external',
    retriable: false,
    summary: 'A file source cannot list or read its path (missing, not readable, or not a file/directory).',
  },
  CON_FILE_WRITE_FAILED: {
    domain: 'external',
    retriable: false,
    summary: 'A file sink cannot create, write or fsync its part files.',
  },
  CON_SOCKET_FAILED: {
    domain: 'external',
    retriable: true,
    summary: 'A socket source cannot connect to its host and port, or the connection failed.',
  },
  CON_KAFKA_UNAVAILABLE: {
    domain: 'external',
    retriable: true,
    summary: 'A Kafka connector cannot reach the cluster at its bootstrap address.',
  },
  CON_KAFKA_TOPIC_NOT_FOUND: {
    domain: 'user',
    retriable: false,
    summary: 'A Kafka source names a topic the cluster does not have.',
  },
  CON_KAFKA_READ_FAILED: {
    domain: 'external',
    retriable: true,
    summary: 'A Kafka source request (list offsets, fetch, committed offsets) failed.',
  },
  CON_KAFKA_COMMIT_FAILED: {
    domain: 'external',
    retriable: true,
    summary: 'A Kafka source could not commit its offsets to its consumer group.',
  },
  CON_KAFKA_WRITE_FAILED: {
    domain: 'external',
    retriable: true,
    summary: 'A Kafka sink could not produce its records (the broker refused them or did not answer).',
  },
  CON_EXACTLY_ONCE_MISCONFIGURED: {
    domain: 'user',
    retriable: false,
    summary:
      'An exactly-once sink runs without checkpointing, or its transaction timeout does not exceed the checkpoint interval plus timeout.',
  },
  CON_KAFKA_TRANSACTION_FAILED: {
    domain: 'external',
    retriable: true,
    summary:
      'An exactly-once Kafka sink could not begin, fill or commit its transaction (e.g. fenced by a newer producer).',
  },
} as const satisfies ErrorCodeRegistry;
