import { readInt16, readInt32, writeInt16, writeInt32 } from './bytes.ts';
import { corruptBatch } from './corrupt.ts';
import { encodeRecordBatch } from './encode.ts';
import type { BatchRecord } from './records.ts';

/**
 * Control records: the transaction markers a transaction coordinator writes into each partition.
 * Key = version int16 (0) + type int16; an end-transaction marker's value = version int16 (0) +
 * coordinator epoch int32. A control batch holds exactly one such record and is never shown to
 * applications.
 */

/** Control record types Kafka clients act on (2–4 are KRaft-internal). */
export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const;
/** 0 ABORT or 1 COMMIT. */
export type ControlRecordTypeId = (typeof ControlRecordType)[keyof typeof ControlRecordType];

/** A decoded control record key. */
export interface ControlKey {
  version: number;
  type: number;
}

/** A decoded end-transaction marker value. */
export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

/** Encodes a control record key (version 0). */
export function encodeControlKey(type: number): Buffer {
  const buf = Buffer.alloc(4);
  writeInt16(buf, 0, 0);
  writeInt16(buf, 2, type);
  return buf;
}

/**
 * Decodes a control record key. Later versions are read like version 0, as Kafka does; a key shorter
 * than 4 bytes throws BRK_CORRUPT_BATCH.
 */
export function decodeControlKey(key: Uint8Array | null): ControlKey {
  if (key === null || key.length < 4) {
    throw corruptBatch('control record key is missing or shorter than 4 bytes');
  }
  const version = readInt16(key, 0);
  if (version < 0) throw corruptBatch(`control record key version ${version} is negative`);
  return { version, type: readInt16(key, 2) };
}

/** Encodes an end-transaction marker value (version 0). */
export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const buf = Buffer.alloc(6);
  writeInt16(buf, 0, 0);
  writeInt32(buf, 2, coordinatorEpoch);
  return buf;
}

/** Decodes an end-transaction marker value; shorter than 6 bytes throws BRK_CORRUPT_BATCH. */
export function decodeEndTxnMarkerValue(value: Uint8Array | null): EndTxnMarker {
  if (value === null || value.length < 6) {
    throw corruptBatch('end-transaction marker value is missing or shorter than 6 bytes');
  }
  const version = readInt16(value, 0);
  if (version < 0) throw corruptBatch(`end-transaction marker version ${version} is negative`);
  return { version, coordinatorEpoch: readInt32(value, 2) };
}

/** What an end-transaction marker batch needs. */
export interface EndTxnMarkerOptions {
  type: ControlRecordTypeId;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  /** Append time in ms. */
  timestamp: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}

/**
 * Builds the control batch that commits or aborts a producer's transaction in one partition:
 * transactional + control attributes, baseSequence -1, one record, no compression.
 *
 * @example encodeEndTxnMarkerBatch({ type: ControlRecordType.COMMIT, producerId: 7, producerEpoch: 0,
 *   coordinatorEpoch: 0, timestamp: Date.now() })
 */
export function encodeEndTxnMarkerBatch(o: EndTxnMarkerOptions): Buffer {
  return encodeRecordBatch(
    [
      {
        key: encodeControlKey(o.type),
        value: encodeEndTxnMarkerValue(o.coordinatorEpoch),
        timestamp: o.timestamp,
      },
    ],
    {
      baseOffset: o.baseOffset,
      partitionLeaderEpoch: o.partitionLeaderEpoch,
      producerId: o.producerId,
      producerEpoch: o.producerEpoch,
      baseSequence: -1,
      transactional: true,
      control: true,
    },
  );
}

/** A control record read back: its type and, for ABORT/COMMIT, the marker value. */
export interface ControlRecord extends ControlKey {
  marker: EndTxnMarker | null;
}

/** Interprets the record of a control batch. Types other than ABORT/COMMIT come back with no marker. */
export function decodeControlRecord(record: BatchRecord): ControlRecord {
  const key = decodeControlKey(record.key);
  const isEndTxn = key.type === ControlRecordType.ABORT || key.type === ControlRecordType.COMMIT;
  return { ...key, marker: isEndTxn ? decodeEndTxnMarkerValue(record.value) : null };
}
