import type { SourcePositions } from '../sink.ts';
import type { LinkSnapshot } from './chain-snapshot.ts';

/** Where a subtask writes the files of a checkpoint, and whether its sources pause after the barrier. */
export interface CheckpointTarget {
  readonly dir: string;
  /** stop-with-savepoint: sources emit nothing after this barrier. */
  readonly stopSources: boolean;
  /**
   * Checkpoints (not savepoints): the latest completed checkpoint, which an incremental backend may
   * write only its changes against. Its files must then stay while this checkpoint is retained.
   */
  readonly base?: IncrementalBase;
}

/** A completed checkpoint as a base: its id, directory name and each subtask's chain of files. */
export interface IncrementalBase {
  readonly id: number;
  /** Files (relative to the base's directory) of one operator subtask: its chain, oldest first. */
  filesOf(uid: string, subtask: number): readonly string[] | undefined;
  readonly dirName: string;
}

/**
 * What subtasks see of the checkpoint coordinator. A subtask that takes its snapshot acknowledges it
 * once its files are written; one that ended its input reports itself finished instead, and counts
 * as acknowledged for every later checkpoint.
 */
export interface CheckpointHost {
  /** True: align barriers (exactly-once); false: count them only (at-least-once). */
  readonly exactlyOnce: boolean;
  /** Undefined when checkpoint `id` was aborted meanwhile: the subtask forwards the barrier and writes nothing. */
  target(id: number): CheckpointTarget | undefined;
  acknowledge(id: number, subtask: string, links: LinkSnapshot[]): void;
  decline(id: number, subtask: string, error: unknown): void;
  /** `lastBarrier`: the last checkpoint this subtask snapshotted (0: none). */
  finished(subtask: string, links: LinkSnapshot[], lastBarrier: number): void;
}

/**
 * What the coordinator sees of one subtask: a Subtask in this thread, or its stand-in for a subtask on
 * a worker thread (src/engine/threads/).
 */
export interface CheckpointParticipant {
  readonly name: string;
  /** Sources start checkpoints: the coordinator asks them for barriers. */
  readonly isSource: boolean;
  /** A source injects the barrier of checkpoint `id` before its next records. */
  requestBarrier(id: number): void;
  /** A source paused by a failed stop-with-savepoint emits again. */
  resume(): void;
  /** The sinks of the chain (and a source's dead-letter sinks) commit checkpoint `id`; nothing once closing. */
  commit(id: number, positions: readonly SourcePositions[]): Promise<void>;
  /** Checkpoint `id` is complete: the chain's operators are told; nothing once closing. */
  notifyCheckpointComplete(id: number): Promise<void>;
}

/** Subtasks on other threads must know a checkpoint's target before its barrier can reach them. */
export interface TargetAnnouncer {
  /** Resolves once every thread knows checkpoint `id`'s target. */
  announce(id: number, target: CheckpointTarget): Promise<void>;
  /** Checkpoint `id` was aborted: forget its target. */
  withdraw(id: number): void;
}
