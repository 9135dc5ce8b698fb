// The aborted-transaction index of a partition on disk: `aborted.txnindex` in the partition directory,
// a sequence of Kafka's 34-byte AbortedTxn records (version int16 = 0, producerId int64, firstOffset
// int64, lastOffset int64, lastStableOffset int64), in marker order. Kafka keeps one `.txnindex` per
// segment; eddy keeps one per partition, so compaction's segment swaps and retention's segment deletes
// never have to carry it (entries below the log start are pruned by rewriting the file).
//
// Consistency with the log comes from the producer-state snapshots: an entry is appended when its
// marker is recorded, and the file is fdatasync'ed before any snapshot is written, so every entry below a
// snapshot's offset is durable. On load, entries at or above the offset the replay starts from are
// dropped (the replay of the log after the snapshot adds them again), which also drops entries of a log
// tail that recovery cut off.

import { appendFile, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, removeFile, writeFileAtomic } from '../storage/file-io.ts';
import type { AbortedTxn } from './partition-txns.ts';

/** File name of the index in a partition directory. */
export const ABORTED_INDEX_FILE = 'aborted.txnindex';
/** Bytes per record (Kafka's AbortedTxn.TOTAL_SIZE). */
export const ABORTED_TXN_SIZE = 34;
const VERSION = 0;

/** Encodes records as stored. */
export function encodeAbortedTxns(list: readonly AbortedTxn[]): Buffer {
  const buf = Buffer.alloc(list.length * ABORTED_TXN_SIZE);
  list.forEach((txn, i) => {
    const at = i * ABORTED_TXN_SIZE;
    buf.writeInt16BE(VERSION, at);
    buf.writeBigInt64BE(BigInt(txn.producerId), at + 2);
    buf.writeBigInt64BE(BigInt(txn.firstOffset), at + 10);
    buf.writeBigInt64BE(BigInt(txn.lastOffset), at + 18);
    buf.writeBigInt64BE(BigInt(txn.lastStableOffset), at + 26);
  });
  return buf;
}

/** Decodes whole records; a torn last record (a crash mid-append) and unknown versions are skipped. */
export function decodeAbortedTxns(buf: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let at = 0; at + ABORTED_TXN_SIZE <= buf.length; at += ABORTED_TXN_SIZE) {
    if (buf.readInt16BE(at) !== VERSION) continue;
    out.push({
      producerId: Number(buf.readBigInt64BE(at + 2)),
      firstOffset: Number(buf.readBigInt64BE(at + 10)),
      lastOffset: Number(buf.readBigInt64BE(at + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(at + 26)),
    });
  }
  return out;
}

/**
 * Reads the index of partition directory `dir`, keeping the entries whose marker lies in
 * [logStartOffset, replayFrom): what the log below the replay start says. The file is rewritten when
 * anything was dropped, so later appends continue a file that matches memory.
 */
export async function loadAbortedTxns(
  dir: string,
  replayFrom: number,
  logStartOffset: number,
): Promise<AbortedTxn[]> {
  const path = join(dir, ABORTED_INDEX_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
  const all = decodeAbortedTxns(bytes);
  const seen = new Set<string>();
  const kept = all.filter((t) => {
    const key = `${t.producerId}/${t.lastOffset}`;
    if (t.lastOffset >= replayFrom || t.lastOffset < logStartOffset || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  kept.sort((a, b) => a.lastOffset - b.lastOffset);
  if (kept.length !== all.length || bytes.length !== all.length * ABORTED_TXN_SIZE)
    await writeAbortedTxns(dir, kept);
  return kept;
}

/** Appends entries (no fdatasync: see syncAbortedTxns). */
export async function appendAbortedTxns(dir: string, list: readonly AbortedTxn[]): Promise<void> {
  if (list.length > 0) await appendFile(join(dir, ABORTED_INDEX_FILE), encodeAbortedTxns(list));
}

/** Makes appended entries durable; called before a producer-state snapshot is written. */
export async function syncAbortedTxns(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(join(dir, ABORTED_INDEX_FILE), 'r+');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** Replaces the whole file atomically (pruning below the log start); an empty list removes it. */
export async function writeAbortedTxns(dir: string, list: readonly AbortedTxn[]): Promise<void> {
  const path = join(dir, ABORTED_INDEX_FILE);
  if (list.length === 0) await removeFile(path);
  else await writeFileAtomic(path, encodeAbortedTxns(list));
}
