import { join } from 'node:path';
import { MIN_TIMESTAMP } from '../../common/time.ts';
import type { NodeId } from '../../plan/nodes.ts';
import { keyGroupRangeFor } from '../../state/key-groups.ts';
import type { ChainLink } from '../chain.ts';
import type { SplitPosition } from '../source.ts';
import type { IncrementalBase } from './host.ts';
import { operatorUid, type SubtaskEntry, stateFileName } from './manifest.ts';
import { createSnapshotFileWriter, openSnapshotReader } from './snapshot-io.ts';

/** Files an incremental chain may have before the next checkpoint of that subtask is complete again. */
const MAX_CHAIN_FILES = 8;

/** One link's part of a checkpoint, as a subtask acknowledges it. */
export interface LinkSnapshot extends SubtaskEntry {
  readonly nodeId: NodeId;
  readonly uid: string;
}

/**
 * Snapshots every link of a chain at a barrier. The synchronous part runs now: the keyed backend's
 * snapshot and operator.snapshotState write into one file writer per stateful link, then each sink's
 * prepareCommit is awaited (it must see exactly the writes before the barrier). What is left — the
 * backends' asynchronous parts and the file writes — is returned as `written`, so the task can forward
 * the barrier and go on processing meanwhile.
 *
 * @example
 * const { written } = await snapshotChain(links, 7, dir, reader.snapshotPositions?.());
 * forwardBarrier(7);
 * written.then((links) => host.acknowledge(7, name, links));
 */
export async function snapshotChain(
  links: readonly ChainLink[],
  checkpointId: number,
  dir: string,
  headPositions: readonly SplitPosition[] | undefined,
  base?: IncrementalBase,
): Promise<{ written: Promise<LinkSnapshot[]> }> {
  const parts: Promise<LinkSnapshot>[] = [];
  const prepares: Promise<unknown>[] = [];
  let syncFailure: unknown;
  for (let i = 0; i < links.length; i++) {
    const link = links[i];
    const entry: LinkSnapshot = {
      nodeId: link.node.id,
      uid: operatorUid(link.node),
      subtask: link.subtask,
      ...(i === 0 && headPositions !== undefined ? { positions: [...headPositions] } : {}),
      ...(link.watermark > MIN_TIMESTAMP ? { watermark: link.watermark } : {}),
    };
    let part: Promise<LinkSnapshot> = Promise.resolve(entry);
    const operator = link.operator;
    if (
      syncFailure === undefined &&
      (link.keyedState !== undefined || operator?.snapshotState !== undefined)
    ) {
      try {
        const file = stateFileName(entry.uid, link.subtask);
        const writer = createSnapshotFileWriter(join(dir, file));
        // An incremental backend (lmdb) may write only what changed since the base checkpoint; its
        // file then names the base, and the base's files become part of this checkpoint too.
        const baseFiles = base?.filesOf(entry.uid, link.subtask);
        // A chain is capped so restores read few files and old checkpoints can go: then a complete one.
        const incrementalBase =
          baseFiles !== undefined && baseFiles.length > 0 && baseFiles.length < MAX_CHAIN_FILES
            ? base?.id
            : undefined;
        const keyed = link.keyedState?.snapshot(writer, { checkpointId, incrementalBase });
        const own = operator?.snapshotState?.(checkpointId, writer);
        part = Promise.all([keyed, own])
          .then(() => writer.finish())
          .then(
            ({ bytes, chain }) => ({
              ...entry,
              file,
              bytes,
              ...(chain?.base !== undefined &&
              chain.base === incrementalBase &&
              baseFiles !== undefined &&
              base
                ? { baseFiles: baseFiles.map((f) => join('..', base.dirName, f)) }
                : {}),
            }),
            async (error: unknown) => {
              await writer.abort().catch(() => {});
              throw error;
            },
          );
      } catch (error) {
        syncFailure = error;
      }
    }
    const prepared = link.sink?.prepareCommit(checkpointId);
    if (prepared !== undefined) {
      prepares.push(prepared);
      const before = part;
      part = Promise.all([before, prepared]).then(([snapshot, value]) => ({ ...snapshot, prepared: value }));
    }
    part.catch(() => {});
    parts.push(part);
  }
  // A failing prepareCommit fails the task (the sink cannot go on); a failing snapshot only the checkpoint.
  await Promise.all(prepares);
  const written = syncFailure === undefined ? Promise.all(parts) : Promise.reject(syncFailure);
  written.catch(() => {});
  return { written };
}

/** A link of a subtask that ended its input: nothing to snapshot, positions for the head. */
export function finishedLinks(
  links: readonly ChainLink[],
  headPositions: readonly SplitPosition[] | undefined,
): LinkSnapshot[] {
  return links.map((link, i) => ({
    nodeId: link.node.id,
    uid: operatorUid(link.node),
    subtask: link.subtask,
    finished: true,
    ...(i === 0 && headPositions !== undefined ? { positions: [...headPositions] } : {}),
  }));
}

/** What one plan node restores, from every subtask of the checkpoint (see restore.ts). */
export interface NodeRestore {
  readonly checkpointId: number;
  /** Absolute paths, ordered by the old subtask index. */
  readonly files: readonly string[];
  /** Union over the old subtasks (readers pick their own splits). */
  readonly positions: readonly SplitPosition[] | undefined;
  readonly prepared: readonly { readonly subtask: number; readonly value: unknown }[];
  /** The lowest watermark over the old subtasks (absent when one of them had none). */
  readonly watermark?: number;
}

/**
 * Before the links open: keyed backends and operators read their state (only their key groups),
 * sinks get what their predecessors prepared. At another parallelism, prepared commits go to new
 * subtask `old % parallelism`.
 */
export async function restoreChain(
  links: readonly ChainLink[],
  restore: ReadonlyMap<NodeId, NodeRestore>,
  maxParallelism: number,
): Promise<void> {
  for (const link of links) {
    const node = restore.get(link.node.id);
    if (node === undefined) continue;
    if (node.watermark !== undefined) link.watermark = node.watermark;
    const parallelism = link.context!.runtime.parallelism;
    const operator = link.operator;
    if (node.files.length > 0 && (link.keyedState !== undefined || operator?.restoreState !== undefined)) {
      const reader = await openSnapshotReader(node.files, {
        keyGroups: link.context!.keyGroups ?? keyGroupRangeFor(link.subtask, maxParallelism, parallelism),
        subtaskIndex: link.subtask,
        parallelism,
      });
      await link.keyedState?.restore(reader);
      await operator?.restoreState?.(reader);
    }
    if (link.sink !== undefined && node.prepared.length > 0) {
      const mine = node.prepared.filter((p) => p.subtask % parallelism === link.subtask).map((p) => p.value);
      if (mine.length > 0) link.sink.setRecovery(mine, node.checkpointId);
    }
  }
}
