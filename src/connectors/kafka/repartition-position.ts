import { StreamError } from '../../common/errors.ts';
import type { WriterWatermarksSnapshot } from '../../engine/repartition/writer-watermarks.ts';
import type { SplitPosition } from '../../engine/source.ts';
import type { TopicPartition } from '../../kafka/partition-consumer.ts';
import { type KafkaPosition, kafkaSplitPosition } from './kafka-positions.ts';

// A repartition source's position is a Kafka position (so exactly-once sinks commit its offset with the
// checkpoint, like any Kafka source's) plus the partition's writer watermarks at that offset: without
// them a restored reader would wait for writers whose last control record lies before the offset.
// Checkpoint manifests are JSON, which has no -Infinity ("not heard from yet"): null stands for it.

/** WriterWatermarksSnapshot as plain JSON data. */
interface PlainWriters {
  readonly watermarks: readonly (number | null)[];
  readonly idle: readonly boolean[];
  readonly ended: readonly boolean[];
  readonly current: number | null;
}

/** The `position` of a repartition source's SplitPosition. */
export interface RepartitionPosition extends KafkaPosition {
  readonly writers: PlainWriters;
}

const toPlain = (time: number): number | null => (time === Number.NEGATIVE_INFINITY ? null : time);
const fromPlain = (time: number | null): number => (time === null ? Number.NEGATIVE_INFINITY : time);

/**
 * The position of one repartition partition: the next offset to read, the group and cluster the offset
 * is committed to, and the writers' watermarks after the records before that offset.
 *
 * @example
 * repartitionSplitPosition({ topic: 'j-repartition-0', partition: 1 }, 42n, 'eddy-j.task-1', bootstrap,
 *   writers.snapshot()); // { split: 'j-repartition-0-1', position: { kind: 'kafka', offset: 42, writers, ... } }
 */
export function repartitionSplitPosition(
  tp: TopicPartition,
  offset: bigint,
  groupId: string,
  bootstrap: string,
  snapshot: WriterWatermarksSnapshot,
): SplitPosition {
  const { split, position } = kafkaSplitPosition(tp, offset, groupId, bootstrap);
  const writers: PlainWriters = {
    watermarks: snapshot.watermarks.map(toPlain),
    idle: [...snapshot.idle],
    ended: [...snapshot.ended],
    current: toPlain(snapshot.current),
  };
  const full: RepartitionPosition = { ...(position as KafkaPosition), writers };
  return { split, position: full };
}

/**
 * The writer watermarks saved with `split`'s position, or undefined when the positions do not hold that
 * split (a fresh start, or a checkpoint taken before the split was read). Throws ENG_RESTORE_FAILED when
 * the saved value is not one this reader wrote.
 *
 * @example
 * const saved = restoredWriters(positions, 'j-repartition-0-1');
 * if (saved !== undefined) writers.restore(saved);
 */
export function restoredWriters(
  positions: readonly SplitPosition[],
  split: string,
): WriterWatermarksSnapshot | undefined {
  const found = positions.find((p) => p.split === split);
  if (found === undefined) return undefined;
  const writers = (found.position as { writers?: unknown } | null)?.writers;
  if (!isPlainWriters(writers))
    throw new StreamError(
      'ENG_RESTORE_FAILED',
      `the checkpoint's position of repartition partition "${split}" has no writer watermarks: it was not ` +
        'written by a repartition source of this eddy version. Start the job afresh under a new --job-id.',
      { details: { split } },
    );
  return {
    watermarks: writers.watermarks.map(fromPlain),
    idle: [...writers.idle],
    ended: [...writers.ended],
    current: fromPlain(writers.current),
  };
}

function isPlainWriters(value: unknown): value is PlainWriters {
  if (typeof value !== 'object' || value === null) return false;
  const w = value as Record<string, unknown>;
  const times = (list: unknown) =>
    Array.isArray(list) && list.every((t) => t === null || typeof t === 'number');
  const flags = (list: unknown) => Array.isArray(list) && list.every((f) => typeof f === 'boolean');
  return (
    times(w.watermarks) &&
    flags(w.idle) &&
    flags(w.ended) &&
    (w.current === null || typeof w.current === 'number')
  );
}
