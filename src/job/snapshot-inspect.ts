import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import v8 from 'node:v8';
import { StreamError } from '../common/errors.ts';
import type { CheckpointManifest, OperatorEntry } from '../engine/checkpoint/manifest.ts';
import { MANIFEST_FILE, stateFilesOf } from '../engine/checkpoint/manifest.ts';
import { readManifest } from '../engine/checkpoint/storage.ts';
import type { SplitPosition } from '../engine/source.ts';
import { mapKeyOf } from '../state/key-identity.ts';
import { openSnapshotReader, verifySnapshotFile } from '../state/snapshot-file.ts';
import type { SnapshotReader, StateKind } from '../state/snapshot-format.ts';
import { fileSource, openSnapshotFile } from '../state/snapshot-sources.ts';

/** One keyed state (or operator entry group, `__operator/...`) of an operator, over all its subtasks. */
export interface StateSummary {
  readonly name: string;
  readonly kind: StateKind | 'operator';
  /** Distinct keys holding this state. */
  readonly keys: number;
  /** Entries: (key, namespace) pairs; more than `keys` for windowed state. */
  readonly entries: number;
  /** Serialized size of the entries' values, as v8 writes them (the files add keys and framing). */
  readonly bytes: number;
}

export interface OperatorSummary {
  readonly uid: string;
  readonly kind: string;
  readonly name: string;
  readonly parallelism: number;
  /** Size of the operator's snapshot files together. */
  readonly fileBytes: number;
  readonly states: readonly StateSummary[];
  readonly timers: number;
  /** Non-keyed list states: name, redistribution mode, item count. */
  readonly operatorStates: readonly { name: string; mode: 'split' | 'union'; items: number }[];
  /** Sources: where every split stood at the barrier. */
  readonly positions: readonly SplitPosition[];
  /** Sinks: subtasks with a prepared (pre-committed) transaction or file set in the manifest. */
  readonly prepared: number;
  readonly finishedSubtasks: number;
}

export interface SnapshotInspection {
  readonly dir: string;
  readonly manifest: Omit<CheckpointManifest, 'operators'>;
  readonly operators: readonly OperatorSummary[];
}

/** One keyed entry, as `eddy state inspect --operator --state` prints it. */
export interface StateEntryView {
  readonly keyGroup: number;
  readonly key: unknown;
  readonly namespace: string;
  readonly value: unknown;
}

/**
 * Reads a checkpoint or savepoint directory (or its `_metadata.json`) and summarizes it: the manifest,
 * then per operator its keyed states with key counts and sizes, timers, list states and source
 * positions. Every snapshot file is checked whole; a damaged one fails with ENG_SNAPSHOT_CORRUPT.
 *
 * @example
 * const report = await inspectSnapshot('.eddy/state/clicks/checkpoints/chk-12');
 * report.operators.find((op) => op.kind === 'keyed-reduce')?.states[0].keys;
 */
export async function inspectSnapshot(path: string): Promise<SnapshotInspection> {
  const { dir, manifest } = await readCheckpoint(path);
  const operators: OperatorSummary[] = [];
  for (const op of manifest.operators) operators.push(await summarize(dir, manifest, op));
  const { operators: _, ...header } = manifest;
  return { dir, manifest: header, operators };
}

/**
 * The entries of one keyed state of one operator, in key-group order, at most `limit` of them.
 *
 * @example
 * const entries = await readStateEntries(savepoint, { operator: 'totals', state: 'reduce', limit: 20 });
 */
export async function readStateEntries(
  path: string,
  options: { operator: string; state: string; limit: number },
): Promise<{ entries: StateEntryView[]; total: number }> {
  const { dir, manifest } = await readCheckpoint(path);
  const op = manifest.operators.find((candidate) => candidate.uid === options.operator);
  if (op === undefined) {
    const uids = manifest.operators.map((candidate) => candidate.uid).join(', ');
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      `${dir} has no operator with uid "${options.operator}"; its operators are: ${uids}`,
    );
  }
  const reader = await openOperator(dir, manifest, op);
  const entries: StateEntryView[] = [];
  let total = 0;
  const names = new Set<string>();
  for (const { keyGroup, entry } of reader?.keyedEntries() ?? []) {
    names.add(entry.state);
    if (entry.state !== options.state) continue;
    total++;
    if (entries.length < options.limit)
      entries.push({ keyGroup, key: entry.key, namespace: entry.namespace, value: entry.value });
  }
  if (total === 0 && !names.has(options.state)) {
    const known = names.size === 0 ? 'it has no keyed state' : `its states are: ${[...names].join(', ')}`;
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      `operator "${op.uid}" has no state named "${options.state}" in ${dir}; ${known}`,
    );
  }
  return { entries, total };
}

/** The manifest, with a message for `eddy state inspect` rather than for a restore. */
async function readCheckpoint(path: string) {
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (!exists)
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      `${path} does not exist; give a checkpoint or savepoint directory`,
    );
  try {
    return await readManifest(path);
  } catch (cause) {
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      `${path} is not a checkpoint or savepoint: it has no readable ${MANIFEST_FILE} (a checkpoint is <state-dir>/<job-id>/checkpoints/chk-<N>, a savepoint savepoint-<job-id>-<N>)`,
      { cause },
    );
  }
}

function stateFiles(dir: string, op: OperatorEntry): string[] {
  return op.subtasks.flatMap((s) => stateFilesOf(s).map((f) => join(dir, f)));
}

/** A reader over every old subtask's file, as one subtask owning every key group would restore it. */
async function openOperator(
  dir: string,
  manifest: CheckpointManifest,
  op: OperatorEntry,
): Promise<SnapshotReader | undefined> {
  const files = stateFiles(dir, op);
  if (files.length === 0) return undefined;
  for (const file of files) await verifySnapshotFile(file);
  return openSnapshotReader(files, {
    keyGroups: { start: 0, end: manifest.maxParallelism - 1 },
    subtaskIndex: 0,
    parallelism: 1,
  });
}

async function summarize(
  dir: string,
  manifest: CheckpointManifest,
  op: OperatorEntry,
): Promise<OperatorSummary> {
  const reader = await openOperator(dir, manifest, op);
  const states = new Map<
    string,
    { kind: StateSummary['kind']; keys: Set<unknown>; entries: number; bytes: number }
  >();
  let timers = 0;
  if (reader !== undefined) {
    for (const { entry } of reader.keyedEntries()) {
      let summary = states.get(entry.state);
      if (summary === undefined) {
        summary = { kind: entry.kind ?? 'operator', keys: new Set(), entries: 0, bytes: 0 };
        states.set(entry.state, summary);
      }
      summary.keys.add(mapKeyOf(entry.key));
      summary.entries++;
      summary.bytes += v8.serialize(entry.value).length;
    }
    for (const _ of reader.timers()) timers++;
  }
  const operatorStates = new Map<string, { name: string; mode: 'split' | 'union'; items: number }>();
  for (const file of stateFiles(dir, op)) {
    const snapshot = await openSnapshotFile(fileSource(file));
    for (const ref of snapshot.footer.operatorStates) {
      const items = (await snapshot.operatorItems(ref)).length;
      const known = operatorStates.get(ref.name);
      operatorStates.set(ref.name, { name: ref.name, mode: ref.mode, items: (known?.items ?? 0) + items });
    }
  }
  return {
    uid: op.uid,
    kind: op.kind,
    name: op.name,
    parallelism: op.parallelism,
    fileBytes: op.subtasks.reduce((sum, s) => sum + (s.bytes ?? 0), 0),
    states: [...states].map(([name, s]) => ({
      name,
      kind: s.kind,
      keys: s.keys.size,
      entries: s.entries,
      bytes: s.bytes,
    })),
    timers,
    operatorStates: [...operatorStates.values()],
    positions: op.subtasks.flatMap((s) => s.positions ?? []),
    prepared: op.subtasks.filter((s) => s.prepared !== undefined).length,
    finishedSubtasks: op.subtasks.filter((s) => s.finished === true).length,
  };
}
