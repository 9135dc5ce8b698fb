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
} as const satisfies ErrorCodeRegistry;
