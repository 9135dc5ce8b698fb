import type { ErrorCodeRegistry } from './spec.ts';

/**
 * Errors of the embedded broker and the wire protocol. Kafka wire errors are response data and never
 * appear here; these are failures of the broker process itself or of bytes it cannot decode.
 */
export const BRK_CODES = {
  BRK_PROTOCOL_MALFORMED: {
    domain: 'external',
    retriable: false,
    summary: 'Bytes on the wire do not decode as the Kafka message they claim to be.',
  },
  BRK_PROTOCOL_UNSUPPORTED_VERSION: {
    domain: 'external',
    retriable: false,
    summary: 'A message was asked for in a version eddy does not declare.',
  },
  BRK_PROTOCOL_SCHEMA_INVALID: {
    domain: 'internal',
    retriable: false,
    summary: 'A message schema declaration is inconsistent (bad version range, unknown type, missing tag).',
  },
  BRK_PROTOCOL_INVALID_VALUE: {
    domain: 'internal',
    retriable: false,
    summary:
      'A value handed to the protocol encoder does not fit its field (wrong type, null, out of range).',
  },
  BRK_CORRUPT_BATCH: {
    domain: 'external',
    retriable: false,
    summary: 'A RecordBatch fails its CRC, framing or record-count checks, or its records do not decompress.',
  },
  BRK_UNSUPPORTED_COMPRESSION: {
    domain: 'external',
    retriable: false,
    summary: 'A RecordBatch names a compression codec eddy does not know, or whose package failed to load.',
  },
  BRK_STORAGE_IO: {
    domain: 'external',
    retriable: false,
    summary:
      "A disk read, write or fsync of the broker's data directory failed; the affected log stops taking writes.",
  },
  BRK_STORAGE_CORRUPT: {
    domain: 'external',
    retriable: false,
    summary: "A file in the broker's data directory is damaged where eddy cannot repair it by itself.",
  },
  BRK_STORAGE_CLOSED: {
    domain: 'internal',
    retriable: false,
    summary: 'A partition log or store was used after it was closed.',
  },
  BRK_LOG_OFFSET_OUT_OF_RANGE: {
    domain: 'internal',
    retriable: false,
    summary: 'A log operation was given an offset outside the log (checked by handlers first).',
  },
  BRK_TOPIC_EXISTS: {
    domain: 'user',
    retriable: false,
    summary: 'A topic with this name already exists.',
  },
  BRK_TOPIC_NOT_FOUND: {
    domain: 'user',
    retriable: false,
    summary: 'No topic with this name exists.',
  },
  BRK_TOPIC_INVALID: {
    domain: 'user',
    retriable: false,
    summary:
      "A topic name or partition count is not allowed (Kafka's rules: [a-zA-Z0-9._-], at most 249 characters).",
  },
  BRK_GROUP_STATE_INVALID: {
    domain: 'internal',
    retriable: false,
    summary: 'The group coordinator attempted a state change its state machine forbids (a broker bug).',
  },
  BRK_TXN_STATE_INVALID: {
    domain: 'internal',
    retriable: false,
    summary: 'The transaction coordinator attempted a state change its state machine forbids (a broker bug).',
  },
} as const satisfies ErrorCodeRegistry;
