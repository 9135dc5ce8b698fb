// Opening a partition directory: find the segments, trust what the checkpoint vouches for, re-validate the
// rest batch by batch (framing, offsets, CRC-32C), cut the torn tail, and rebuild indexes as needed.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StreamError } from '../../common/errors.ts';
import { batchMaxTimestamp, type Crc32c } from './batch-frame.ts';
import { removeFile } from './file-io.ts';
import type { LogCheckpoint } from './log-checkpoint.ts';
import { LogSegment } from './segment.ts';
import { completeSwaps } from './segment-swap.ts';

/** What recovery did, for logs and tests. */
export interface RecoveryReport {
  /** True when a clean close let the open skip all scanning. */
  cleanShutdown: boolean;
  /** Segments re-validated batch by batch. */
  segmentsScanned: number;
  /** Segments whose index files were missing or inconsistent and were rebuilt. */
  indexesRebuilt: number;
  /** Bytes cut from the end of the log (torn or corrupt tail). */
  truncatedBytes: number;
  /** Why the tail was cut, if it was. */
  problem: string | null;
}

/** Segments ready for use (oldest first, last is active) plus which ones recovery rewrote. */
export interface LoadedSegments {
  segments: LogSegment[];
  /** Segments scanned by recovery, whose data and indexes should be flushed before trusting them. */
  recovered: LogSegment[];
  report: RecoveryReport;
}

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;

/** Opens (or creates) the segments of `dir`, recovering after an unclean stop. */
export async function loadSegments(
  dir: string,
  checkpoint: LogCheckpoint | null,
  options: { crc32c: Crc32c; indexIntervalBytes: number },
): Promise<LoadedSegments> {
  const report: RecoveryReport = {
    cleanShutdown: false,
    segmentsScanned: 0,
    indexesRebuilt: 0,
    truncatedBytes: 0,
    problem: null,
  };
  await completeSwaps(dir); // a compaction swap cut short by a crash: finish it or drop it first
  const bases = await segmentBases(dir);
  if (bases.length === 0) {
    const segment = await LogSegment.create(dir, checkpoint?.logStartOffset ?? 0, options.indexIntervalBytes);
    return { segments: [segment], recovered: [], report };
  }
  const segments = await Promise.all(bases.map((b) => LogSegment.open(dir, b, options.indexIntervalBytes)));
  const last = segments.length - 1;
  const active = segments[last];

  const clean = checkpoint?.clean;
  if (
    clean !== undefined &&
    clean.activeBaseOffset === active.baseOffset &&
    clean.activeSize === active.size
  ) {
    const ok =
      (await active.loadIndexes(null)) &&
      (await active.loadTail({ crc32c: options.crc32c })).problem === null;
    if (ok && active.nextOffset === clean.logEndOffset) {
      const rebuilt = await loadAllTrusted(segments, last, report);
      report.cleanShutdown = true;
      await setRollTimestamp(active);
      return { segments, recovered: rebuilt, report };
    }
  }

  // Recover from the segment holding the recovery point; everything before it was flushed with its indexes.
  const recoveryPoint = checkpoint?.recoveryPoint ?? 0;
  let first = 0;
  while (first < last && segments[first + 1].baseOffset <= recoveryPoint) first++;
  const recovered = await loadAllTrusted(segments, first, report);
  for (let i = first; i <= last; i++) {
    const segment = segments[i];
    const fileSize = segment.size;
    segment.resetIndexes();
    const result = await segment.scan(0, fileSize, { crc32c: options.crc32c });
    report.segmentsScanned++;
    recovered.push(segment);
    if (result.problem === null) continue;
    // Everything after the first bad batch is suspect: cut here and drop any later segments.
    report.problem = `${segment.path}.log ${result.problem}`;
    report.truncatedBytes += fileSize - result.end;
    await segment.truncate(result.end);
    for (const later of segments.splice(i + 1)) {
      report.truncatedBytes += later.size;
      await later.delete();
    }
    break;
  }
  await setRollTimestamp(segments[segments.length - 1]);
  return { segments, recovered, report };
}

/** Base offsets of the `.log` files in `dir`, ascending; removes temp files and orphan index files. */
async function segmentBases(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  const logs = new Set<number>();
  for (const name of names) {
    const m = SEGMENT_FILE.exec(name);
    if (m !== null && m[2] === 'log') logs.add(Number(m[1]));
  }
  for (const name of names) {
    const m = SEGMENT_FILE.exec(name);
    const orphanIndex = m !== null && m[2] !== 'log' && !logs.has(Number(m[1]));
    if (orphanIndex || name.endsWith('.tmp')) await removeFile(join(dir, name));
  }
  return [...logs].sort((a, b) => a - b);
}

/** Loads segments [0, end) as trusted; returns those whose indexes had to be rebuilt. */
async function loadAllTrusted(
  segments: LogSegment[],
  end: number,
  report: RecoveryReport,
): Promise<LogSegment[]> {
  const rebuilt: LogSegment[] = [];
  for (let i = 0; i < end; i++) {
    if (await loadTrusted(segments[i], segments[i + 1])) rebuilt.push(segments[i]);
  }
  report.indexesRebuilt += rebuilt.length;
  return rebuilt;
}

/**
 * Loads a segment below the recovery point. Its data is trusted, so a missing or inconsistent index is
 * rebuilt by a header scan. Returns true if the index was rebuilt.
 */
async function loadTrusted(segment: LogSegment, next: LogSegment): Promise<boolean> {
  if (await segment.loadIndexes(next.baseOffset)) return false;
  const fileSize = segment.size;
  segment.resetIndexes();
  const result = await segment.scan(0, fileSize, {});
  if (result.problem !== null) {
    throw new StreamError(
      'BRK_STORAGE_CORRUPT',
      `${segment.path}.log is damaged below the recovery point (${result.problem}); delete checkpoint.json in ` +
        'its directory to rescan the whole partition and truncate it at the damage',
      { details: { segment: segment.path } },
    );
  }
  segment.seal();
  return true;
}

/** segment.ms counts from the active segment's first batch timestamp, as Kafka does. */
async function setRollTimestamp(active: LogSegment): Promise<void> {
  if (active.size === 0) return;
  const header = await active.read(0, 43);
  const ts = batchMaxTimestamp(header, 0);
  active.rollTimestamp = ts >= 0 ? ts : active.lastModified;
}
