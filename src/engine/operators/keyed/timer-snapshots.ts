import { setImmediate as nextTurn } from 'node:timers/promises';
import { keyGroupOf } from '../../../state/key-groups.ts';
import type { SnapshotReader, SnapshotWriter, TimerEntry } from '../../../state/snapshot-format.ts';
import type { Timer, TimerDomain, TimerService } from '../../../state/timers.ts';

/** Timers written between pauses that let processing go on. */
const SLICE = 4_096;

/**
 * Snapshots a subtask's timers. The cut is taken at once (the registered timers, in firing order;
 * timer objects never change), and they are written asynchronously, each with its key group and its
 * rank in firing order so ties at one time fire after a restore as they would have.
 *
 * @example
 * await snapshotTimers(rt.timers, writer, ctx.maxParallelism);
 */
export function snapshotTimers(
  timers: TimerService,
  writer: SnapshotWriter,
  maxParallelism: number,
): Promise<void> | undefined {
  const cut: [TimerDomain, Timer[]][] = [
    ['event', timers.registered('event')],
    ['processing', timers.registered('processing')],
  ];
  if (cut[0][1].length + cut[1][1].length === 0) return undefined;
  return writeTimers(cut, writer, maxParallelism);
}

async function writeTimers(
  cut: [TimerDomain, Timer[]][],
  writer: SnapshotWriter,
  maxParallelism: number,
): Promise<void> {
  let written = 0;
  for (const [domain, list] of cut) {
    for (let order = 0; order < list.length; order++) {
      const { key, namespace, time } = list[order];
      writer.timer(keyGroupOf(key, maxParallelism), { domain, key, namespace, time, order });
      if (++written % SLICE === 0) {
        await writer.drain?.();
        await nextTurn();
      }
    }
  }
}

/** A restored subtask's timers (its key groups only), in the order they should be registered. */
export function restoredTimers(reader: SnapshotReader): TimerEntry[] {
  const timers = [...reader.timers()].map(({ timer }) => timer);
  const rank = (t: TimerEntry) => t.order ?? Number.MAX_SAFE_INTEGER;
  return timers.sort((a, b) => a.time - b.time || rank(a) - rank(b));
}
