// Producer-state snapshot files in a partition directory, named like Kafka's by the offset they describe:
// `<20-digit offset>.snapshot`. The content is eddy's own: one line `<crc32, 8 hex> <JSON>\n`, written
// atomically. A snapshot that fails its CRC or lies beyond the log end is ignored and deleted.

import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../storage/file-io.ts';
import type { BatchMetadata, ProducerEntry } from './append-rules.ts';
import type { ProducerSnapshot } from './producer-state-manager.ts';

const SNAPSHOT_FILE = /^(\d{20})\.snapshot$/;
const VERSION = 1;
/** Snapshots kept per partition; older ones are deleted after a new one is written. */
const KEEP = 2;

/** A snapshot as stored: the topic id guards against a file left by a deleted topic of the same name. */
interface StoredSnapshot {
  version: number;
  topicId: string;
  offset: number;
  /** [producerId, epoch, lastUpdateMs, currentTxnFirstOffset, coordinatorEpoch, batches]. */
  producers: [number, number, number, number | null, number, StoredBatch[]][];
}

/** [firstSeq, lastSeq, firstOffset, lastOffset, timestamp]. */
type StoredBatch = [number, number, number, number, number];

/** The file name of the snapshot at `offset`. */
export function snapshotFileName(offset: number): string {
  return `${String(offset).padStart(20, '0')}.snapshot`;
}

/** Offsets of the snapshots in `dir`, ascending. */
export async function listSnapshots(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((n) => SNAPSHOT_FILE.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Writes the snapshot of one partition atomically, then deletes all but the newest KEEP snapshots. */
export async function writeSnapshot(dir: string, topicId: string, snapshot: ProducerSnapshot): Promise<void> {
  const stored: StoredSnapshot = {
    version: VERSION,
    topicId,
    offset: snapshot.offset,
    producers: snapshot.producers.map((e) => [
      e.producerId,
      e.epoch,
      e.lastUpdateMs,
      e.currentTxnFirstOffset,
      e.coordinatorEpoch,
      e.batches.map((b) => [b.firstSeq, b.lastSeq, b.firstOffset, b.lastOffset, b.timestamp]),
    ]),
  };
  const json = Buffer.from(JSON.stringify(stored));
  const line = Buffer.concat([Buffer.from(`${hex(crc32(json))} `), json, Buffer.from('\n')]);
  await writeFileAtomic(join(dir, snapshotFileName(snapshot.offset)), line);
  const offsets = await listSnapshots(dir);
  for (const old of offsets.slice(0, Math.max(0, offsets.length - KEEP))) {
    await rm(join(dir, snapshotFileName(old)), { force: true });
  }
}

/**
 * The newest valid snapshot of `dir` at or below `maxOffset` (the log end) for topic `topicId`, or null.
 * Snapshots above the log end (the log was truncated by recovery), damaged ones and ones of another topic
 * are deleted on the way.
 */
export async function readLatestSnapshot(
  dir: string,
  topicId: string,
  maxOffset: number,
): Promise<ProducerSnapshot | null> {
  const offsets = await listSnapshots(dir);
  for (let i = offsets.length - 1; i >= 0; i--) {
    const path = join(dir, snapshotFileName(offsets[i]));
    const snapshot = offsets[i] <= maxOffset ? parse(await readFile(path), topicId, offsets[i]) : null;
    if (snapshot !== null) return snapshot;
    await rm(path, { force: true });
  }
  return null;
}

function parse(bytes: Buffer, topicId: string, offset: number): ProducerSnapshot | null {
  if (bytes.length < 11 || bytes[8] !== 0x20 || bytes[bytes.length - 1] !== 0x0a) return null;
  const json = bytes.subarray(9, bytes.length - 1);
  if (bytes.subarray(0, 8).toString('latin1') !== hex(crc32(json))) return null;
  let stored: StoredSnapshot;
  try {
    stored = JSON.parse(json.toString('utf8')) as StoredSnapshot;
  } catch {
    return null;
  }
  if (stored.version !== VERSION || stored.topicId !== topicId || stored.offset !== offset) return null;
  return {
    offset,
    producers: stored.producers.map(
      ([
        producerId,
        epoch,
        lastUpdateMs,
        currentTxnFirstOffset,
        coordinatorEpoch,
        batches,
      ]): ProducerEntry => ({
        producerId,
        epoch,
        lastUpdateMs,
        currentTxnFirstOffset,
        coordinatorEpoch,
        batches: batches.map(
          ([firstSeq, lastSeq, firstOffset, lastOffset, timestamp]): BatchMetadata => ({
            firstSeq,
            lastSeq,
            firstOffset,
            lastOffset,
            timestamp,
          }),
        ),
      }),
    ),
  };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
