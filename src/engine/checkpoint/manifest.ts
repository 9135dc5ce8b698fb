import { createHash } from 'node:crypto';
import type { JobPlan, PlanNode } from '../../plan/nodes.ts';
import type { SplitPosition } from '../source.ts';

/** Bumped when the manifest changes in a way older readers cannot follow. */
export const MANIFEST_FORMAT = 1;
export const MANIFEST_FILE = '_metadata.json';

/** What one operator subtask contributed to a checkpoint. */
export interface SubtaskEntry {
  readonly subtask: number;
  /** State file, relative to the checkpoint directory; absent when the subtask had no state. */
  readonly file?: string;
  /**
   * An incremental file builds on these (relative to this checkpoint's directory, e.g.
   * `../chk-3/window-4-0.snap`), oldest first: restoring reads all of them, then `file`.
   */
  readonly baseFiles?: readonly string[];
  readonly bytes?: number;
  /** Sources: where each split stood at the barrier. */
  readonly positions?: readonly SplitPosition[];
  /**
   * The watermark the operator had reached (sources: had emitted) at the barrier. Restored so that a
   * record that was late before a crash is late after it too, and a fired window does not fire again.
   */
  readonly watermark?: number;
  /** Sinks: what prepareCommit returned (JSON). */
  readonly prepared?: unknown;
  /** The subtask had ended its input before the barrier; it has nothing more to do after a restore. */
  readonly finished?: boolean;
}

export interface OperatorEntry {
  readonly uid: string;
  readonly kind: PlanNode['kind'];
  readonly name: string;
  readonly parallelism: number;
  readonly subtasks: readonly SubtaskEntry[];
}

/**
 * `_metadata.json` of a checkpoint or savepoint directory. Written last (temp file, fsync, rename);
 * `state` turns from 'pending' to 'completed' once every sink commit succeeded.
 */
export interface CheckpointManifest {
  readonly format: number;
  readonly jobId: string;
  readonly jobName: string;
  readonly checkpointId: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly state: 'pending' | 'completed';
  /** Epoch ms when the checkpoint was triggered and when it completed. */
  readonly triggeredAt: number;
  readonly completedAt?: number;
  readonly maxParallelism: number;
  /** sha-256 of the operators' uids, kinds and parallelism plus maxParallelism: equal plans, equal prints. */
  readonly fingerprint: string;
  readonly operators: readonly OperatorEntry[];
}

/**
 * The uid that matches an operator's state across runs: the node's own uid, else one derived from its
 * position and kind ("keyed-reduce-3"), which stays the same as long as the job is built the same way.
 *
 * @example
 * operatorUid({ id: 3, kind: 'map', ... }) // 'map-3'
 */
export function operatorUid(node: PlanNode): string {
  return node.uid ?? `${node.kind}-${node.id}`;
}

/** See CheckpointManifest.fingerprint. */
export function planFingerprint(plan: JobPlan, parallelismOf: (node: PlanNode) => number): string {
  const operators = plan.nodes.map((node) => [operatorUid(node), node.kind, parallelismOf(node)]);
  const text = JSON.stringify({ maxParallelism: plan.config.maxParallelism, operators });
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The state file name of one operator subtask: the uid with characters unsafe in file names replaced,
 * plus a short hash of the uid when anything was replaced (so "a/b" and "a_b" do not collide).
 */
export function stateFileName(uid: string, subtask: number): string {
  const safe = uid.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  const suffix = safe === uid ? '' : `-${createHash('sha256').update(uid).digest('hex').slice(0, 8)}`;
  return `${safe}${suffix}-${subtask}.snap`;
}

/** Every state file of a subtask entry, relative to its checkpoint directory, oldest first. */
export function stateFilesOf(entry: SubtaskEntry): string[] {
  return entry.file === undefined ? [] : [...(entry.baseFiles ?? []), entry.file];
}
