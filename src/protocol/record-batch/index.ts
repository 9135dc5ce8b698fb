/**
 * RecordBatch v2 (Kafka's on-wire and on-disk record format), CRC-32C and the four codecs. No I/O.
 * Broker hot paths use header.ts and batch-cursor.ts only; decode.ts is for consumers and compaction.
 */
export * from './batch-cursor.ts';
export * from './compression.ts';
export * from './control.ts';
export * from './crc32c.ts';
export * from './decode.ts';
export * from './encode.ts';
export * from './header.ts';
export type * from './records.ts';
