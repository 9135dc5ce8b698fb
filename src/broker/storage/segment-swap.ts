// Swapping a cleaned (compacted) segment in for the segments it was made from, so that a crash at any
// moment leaves either the old segments or the new one, as Kafka's LocalLog.replaceSegments and LogLoader
// do. The protocol, per swap:
//   1. the cleaner writes `<base>.log.cleaned` and fdatasyncs it (base = first replaced segment's base);
//   2. rename it to `<base>.<end>.log.swap` and fsync the directory: the commit point. `end` is where the
//      replaced segments end, so recovery knows exactly which ones to replace even when compaction left
//      the new segment empty (Kafka reads the range from the swap file's batches instead);
//   3. unlink the replaced segments' `.log`, `.index` and `.timeindex` (open handles keep reading), fsync;
//   4. rename the swap to `<base>.log`, fsync, and write the new segment's index files.
// Recovery (completeSwaps, before segments are listed): `.cleaned` files are unfinished work and go, with
// any `.swap` at or above the lowest of them (Kafka's rule for a half-renamed set); each remaining swap
// finishes steps 3 and 4, replacing every `.log` whose base offset is in [base, end).

import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { removeFile, syncDir } from './file-io.ts';
import { LogSegment, segmentName } from './segment.ts';

const CLEANED = '.log.cleaned';
const CLEANED_FILE = /^(\d{20})\.log\.cleaned$/;
const SWAP_FILE = /^(\d{20})\.(\d{20})\.log\.swap$/;
const LOG_FILE = /^(\d{20})\.log$/;

function swapPath(dir: string, base: number, end: number): string {
  return join(dir, `${segmentName(base)}.${segmentName(end)}.log.swap`);
}

/** Test hooks: called after each step of a swap (a crash test kills the process there). */
export interface SwapHooks {
  step?(name: string): void | Promise<void>;
}

/** Where the cleaner writes the segment that will replace the segments starting at `baseOffset`. */
export function cleanedSegmentPath(dir: string, baseOffset: number): string {
  return join(dir, `${segmentName(baseOffset)}${CLEANED}`);
}

/**
 * Opens a fully written, fdatasync'ed `.cleaned` file as a segment and builds its indexes (outside the
 * log's lock). `nextOffset` is where the replaced segments ended, which the cleaned one keeps.
 */
export async function openCleanedSegment(
  dir: string,
  baseOffset: number,
  nextOffset: number,
  indexInterval: number,
): Promise<LogSegment> {
  const segment = await LogSegment.open(
    dir,
    baseOffset,
    indexInterval,
    `${segmentName(baseOffset)}${CLEANED}`,
  );
  const size = segment.size;
  segment.resetIndexes();
  const result = await segment.scan(0, size, {});
  if (result.problem !== null) {
    await segment.close();
    throw new Error(`cleaned segment ${segment.path}${CLEANED} is not valid: ${result.problem}`);
  }
  segment.nextOffset = Math.max(segment.nextOffset, nextOffset);
  segment.seal();
  return segment;
}

/** Closes a cleaned segment that will not be swapped in and removes its file. */
export async function discardCleanedSegment(dir: string, segment: LogSegment): Promise<void> {
  await segment.close();
  await removeFile(cleanedSegmentPath(dir, segment.baseOffset));
}

/**
 * Steps 2–4 for one cleaned segment replacing `old` (contiguous, closed). Before the commit point a failure
 * removes the new files and leaves the old segments as they were (`committed` false); after it, the caller
 * must stop using the log, and recovery finishes the swap from the files.
 */
export async function swapInCleaned(
  dir: string,
  old: readonly LogSegment[],
  cleaned: LogSegment,
  hooks: SwapHooks = {},
): Promise<void> {
  const base = cleaned.baseOffset;
  const swap = swapPath(dir, base, cleaned.nextOffset);
  try {
    await rename(cleanedSegmentPath(dir, base), swap);
    await syncDir(dir);
  } catch (error) {
    await removeFile(swap).catch(() => undefined);
    throw new SwapError(false, error);
  }
  try {
    await hooks.step?.('committed');
    for (const segment of old) await segment.delete();
    await syncDir(dir);
    await hooks.step?.('old-deleted');
    await rename(swap, join(dir, `${segmentName(base)}.log`));
    await syncDir(dir);
    await hooks.step?.('renamed');
    await cleaned.persist();
    await hooks.step?.('indexed');
  } catch (error) {
    throw new SwapError(true, error);
  }
}

/** A swap that failed; `committed` says whether recovery will finish it (the old segments are gone). */
export class SwapError extends Error {
  readonly committed: boolean;
  constructor(committed: boolean, cause: unknown) {
    super(`segment swap failed ${committed ? 'after' : 'before'} its commit point`, { cause });
    this.committed = committed;
  }
}

/** What completeSwaps found, for the recovery report. */
export interface SwapRecovery {
  /** Unfinished `.cleaned`/`.swap` files removed (the old segments stay). */
  abandoned: number;
  /** Swaps finished (their old segments replaced). */
  completed: number;
}

/** Finishes or abandons the swaps a crash interrupted; run before the segment files are listed. */
export async function completeSwaps(dir: string): Promise<SwapRecovery> {
  const names = await readdir(dir);
  const cleaned: number[] = [];
  const swaps: { base: number; end: number; name: string }[] = [];
  const logs: number[] = [];
  for (const name of names) {
    const c = CLEANED_FILE.exec(name);
    if (c !== null) cleaned.push(Number(c[1]));
    const w = SWAP_FILE.exec(name);
    if (w !== null) swaps.push({ base: Number(w[1]), end: Number(w[2]), name });
    const l = LOG_FILE.exec(name);
    if (l !== null) logs.push(Number(l[1]));
  }
  const report: SwapRecovery = { abandoned: 0, completed: 0 };
  if (cleaned.length === 0 && swaps.length === 0) return report;
  // Swaps are made highest base first, so a `.cleaned` below a swap means the set was half renamed.
  const lowestCleaned = Math.min(...cleaned);
  for (const base of cleaned) await removeFile(cleanedSegmentPath(dir, base));
  const valid = swaps.filter((swap) => swap.base < lowestCleaned);
  for (const swap of swaps) if (swap.base >= lowestCleaned) await removeFile(join(dir, swap.name));
  report.abandoned = cleaned.length + swaps.length - valid.length;
  for (const swap of valid) {
    for (const old of logs.filter((b) => b >= swap.base && b < swap.end)) {
      for (const ext of ['.log', '.index', '.timeindex'])
        await removeFile(join(dir, `${segmentName(old)}${ext}`));
    }
    // The old segment with the same base may have left index files even if its `.log` is gone.
    for (const ext of ['.index', '.timeindex'])
      await removeFile(join(dir, `${segmentName(swap.base)}${ext}`));
  }
  await syncDir(dir);
  for (const swap of valid) {
    await rename(join(dir, swap.name), join(dir, `${segmentName(swap.base)}.log`));
    report.completed++;
  }
  await syncDir(dir);
  return report;
}
