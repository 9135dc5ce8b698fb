import { StreamError } from '../../common/errors.ts';
import type { KeyedStateBackend } from '../../state/backend.ts';
import {
  createSnapshotBufferWriter,
  openSnapshotBuffers,
  type SnapshotTarget,
} from '../../state/snapshot-file.ts';
import type { Operator } from '../operator.ts';

/**
 * An operator's snapshot taken by OperatorHarness.snapshot(): its own state (timers, window buckets)
 * and its keyed state, in the canonical snapshot format, the same bytes a checkpoint file holds.
 */
export interface HarnessSnapshot {
  readonly bytes: Buffer;
  readonly maxParallelism: number;
  readonly checkpointId: number;
}

/** As at a checkpoint barrier: both cuts first, then the asynchronous parts of both. */
export async function takeSnapshot(
  operator: Operator<never, unknown>,
  backend: KeyedStateBackend,
  checkpointId: number,
  maxParallelism: number,
): Promise<HarnessSnapshot> {
  const writer = createSnapshotBufferWriter();
  const own = operator.snapshotState?.(checkpointId, writer);
  const keyed = backend.snapshot(writer, { checkpointId });
  await Promise.all([own, keyed]);
  const { data } = await writer.finish();
  return { bytes: data, maxParallelism, checkpointId };
}

/** As the runtime restores a subtask: keyed state first, then the operator's own, before open(). */
export async function restoreSnapshots(
  operator: Operator<never, unknown>,
  backend: KeyedStateBackend,
  snapshots: readonly HarnessSnapshot[],
  target: SnapshotTarget & { readonly maxParallelism: number },
): Promise<void> {
  for (const snapshot of snapshots) {
    if (snapshot.maxParallelism !== target.maxParallelism) {
      throw new StreamError(
        'ENG_HARNESS_MISUSE',
        `the snapshot was taken with maxParallelism ${snapshot.maxParallelism}, but this harness has ${target.maxParallelism}; pass { maxParallelism: ${snapshot.maxParallelism} }`,
      );
    }
  }
  const reader = await openSnapshotBuffers(
    snapshots.map((snapshot) => snapshot.bytes),
    target,
  );
  await backend.restore(reader);
  await operator.restoreState?.(reader);
}
