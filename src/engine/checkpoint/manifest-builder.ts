import type { JobPlan, PlanNode } from '../../plan/nodes.ts';
import type { SourcePositions } from '../sink.ts';
import type { LinkSnapshot } from './chain-snapshot.ts';
import {
  type CheckpointManifest,
  MANIFEST_FORMAT,
  type OperatorEntry,
  operatorUid,
  planFingerprint,
  type SubtaskEntry,
} from './manifest.ts';

/**
 * The 'pending' manifest of a checkpoint from the acknowledged link snapshots: every plan node with
 * its subtasks in order. Positions and prepared commits must be JSON (they are checked here, so a
 * connector returning something else fails the checkpoint with a clear message).
 */
export function buildManifest(input: {
  jobId: string;
  jobName: string;
  plan: JobPlan;
  parallelismOf: (node: PlanNode) => number;
  id: number;
  kind: 'checkpoint' | 'savepoint';
  triggeredAt: number;
  acks: readonly LinkSnapshot[];
}): CheckpointManifest {
  const { plan, parallelismOf } = input;
  const byNode = new Map<number, SubtaskEntry[]>();
  for (const { nodeId, uid: _uid, ...entry } of input.acks) {
    const list = byNode.get(nodeId) ?? [];
    list.push(entry);
    byNode.set(nodeId, list);
  }
  const operators: OperatorEntry[] = plan.nodes.map((node) => ({
    uid: operatorUid(node),
    kind: node.kind,
    name: node.name,
    parallelism: parallelismOf(node),
    subtasks: (byNode.get(node.id) ?? []).sort((a, b) => a.subtask - b.subtask),
  }));
  const manifest: CheckpointManifest = {
    format: MANIFEST_FORMAT,
    jobId: input.jobId,
    jobName: input.jobName,
    checkpointId: input.id,
    kind: input.kind,
    state: 'pending',
    triggeredAt: input.triggeredAt,
    maxParallelism: plan.config.maxParallelism,
    fingerprint: planFingerprint(plan, parallelismOf),
    operators,
  };
  // Fails here, not half-way through writing, when a connector returned something JSON cannot hold.
  JSON.stringify(manifest);
  return manifest;
}

/** The positions of every source node at the barrier, as sinks' commit() receives them. */
export function sourcePositionsOf(plan: JobPlan, manifest: CheckpointManifest): SourcePositions[] {
  const out: SourcePositions[] = [];
  for (const node of plan.nodes) {
    if (node.kind !== 'source') continue;
    const entry = manifest.operators.find((op) => op.uid === operatorUid(node));
    const positions = entry?.subtasks.flatMap((s) => s.positions ?? []) ?? [];
    out.push({ sourceName: node.name, positions });
  }
  return out;
}
