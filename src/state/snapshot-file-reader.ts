import { StreamError } from '../common/errors.ts';
import type { KeyGroupRange } from './key-groups.ts';
import { mapKeyOf } from './key-identity.ts';
import { SECTION_ENTRIES, SECTION_TIMERS, TAG_ENTRY, TAG_RESET } from './snapshot-file-format.ts';
import {
  type KeyedStateEntry,
  OPERATOR_STATE_PREFIX,
  type SnapshotReader,
  type StateKind,
  type TimerEntry,
} from './snapshot-format.ts';
import { type ByteReader, type ByteSource, openSnapshotFile, type SnapshotFile } from './snapshot-sources.ts';

/** Which part of the old state a restoring subtask takes. */
export interface SnapshotTarget {
  readonly keyGroups: KeyGroupRange;
  readonly subtaskIndex: number;
  readonly parallelism: number;
}

/**
 * One old subtask's snapshot: a complete file, or the newest link of an incremental chain with the
 * links it builds on (`links`, oldest first, ending with `tip`).
 */
interface Unit {
  readonly tip: SnapshotFile;
  readonly links: readonly SnapshotFile[];
}

/**
 * Opens the snapshots of every old subtask of one operator for one new subtask. Files of incremental
 * chains are matched by chain id and linked by checkpoint id; a link whose base is missing fails with
 * ENG_RESTORE_FAILED. Operator list states are read here; keyed entries and timers are read lazily.
 */
export async function openSnapshotSources(
  sources: readonly ByteSource[],
  target: SnapshotTarget,
): Promise<SnapshotReader> {
  const files = await Promise.all(sources.map(openSnapshotFile));
  const units = resolveChains(files);
  const operatorStates = new Map<string, unknown[]>();
  const split = new Set<string>();
  for (const { tip } of units) {
    for (const ref of tip.footer.operatorStates) {
      const items = await tip.operatorItems(ref);
      const all = operatorStates.get(ref.name) ?? [];
      all.push(...items);
      operatorStates.set(ref.name, all);
      if (ref.mode === 'split') split.add(ref.name);
    }
  }
  const shares = new Map<string, unknown[]>();
  for (const [name, items] of operatorStates) {
    shares.set(
      name,
      split.has(name) ? items.filter((_, i) => i % target.parallelism === target.subtaskIndex) : items,
    );
  }
  return new ChainReader(units, target.keyGroups, shares);
}

function resolveChains(files: readonly SnapshotFile[]): Unit[] {
  const units: Unit[] = [];
  const chains = new Map<string, SnapshotFile[]>();
  for (const file of files) {
    const link = file.footer.chain;
    if (link === undefined) {
      units.push({ tip: file, links: [file] });
      continue;
    }
    const members = chains.get(link.id);
    if (members === undefined) chains.set(link.id, [file]);
    else members.push(file);
  }
  for (const members of chains.values()) {
    const byCheckpoint = new Map(members.map((file) => [file.footer.chain!.checkpointId, file]));
    let tip = members[0];
    for (const file of members)
      if (file.footer.chain!.checkpointId > tip.footer.chain!.checkpointId) tip = file;
    const links = [tip];
    for (let base = tip.footer.chain!.base; base !== undefined; ) {
      const file = byCheckpoint.get(base);
      if (file === undefined) {
        throw new StreamError(
          'ENG_RESTORE_FAILED',
          `snapshot file ${links[0].name} holds only the changes since checkpoint ${base}, but the file of checkpoint ${base} of that chain was not given; restore with every file the checkpoint lists`,
          { details: { file: links[0].name, missingCheckpoint: base } },
        );
      }
      links.unshift(file);
      base = file.footer.chain!.base;
    }
    units.push({ tip, links });
  }
  return units;
}

class ChainReader implements SnapshotReader {
  private readonly units: readonly Unit[];
  private readonly range: KeyGroupRange;
  private readonly shares: Map<string, unknown[]>;

  constructor(units: readonly Unit[], range: KeyGroupRange, shares: Map<string, unknown[]>) {
    this.units = units;
    this.range = range;
    this.shares = shares;
  }

  *keyedEntries(): Generator<{ readonly keyGroup: number; readonly entry: KeyedStateEntry }> {
    const readers = new Readers();
    try {
      for (let keyGroup = this.range.start; keyGroup <= this.range.end; keyGroup++) {
        for (const unit of this.units) {
          if (unit.links.length === 1) {
            for (const record of readers.records(unit.tip, SECTION_ENTRIES, keyGroup)) {
              if (record[0] === TAG_ENTRY) yield { keyGroup, entry: toEntry(record) };
            }
          } else yield* this.merged(readers, unit, keyGroup);
        }
      }
    } finally {
      readers.close();
    }
  }

  *timers(): Generator<{ readonly keyGroup: number; readonly timer: TimerEntry }> {
    const readers = new Readers();
    try {
      for (let keyGroup = this.range.start; keyGroup <= this.range.end; keyGroup++) {
        for (const { tip } of this.units) {
          for (const record of readers.records(tip, SECTION_TIMERS, keyGroup)) {
            const [domain, key, namespace, time, order] = record as [
              number,
              unknown,
              string,
              number,
              number?,
            ];
            const timer: TimerEntry = {
              domain: domain === 0 ? 'event' : 'processing',
              key,
              namespace,
              time,
              order,
            };
            yield { keyGroup, timer };
          }
        }
      }
    } finally {
      readers.close();
    }
  }

  operatorState(name: string): readonly unknown[] {
    return this.shares.get(name) ?? [];
  }

  /**
   * One key group of a chain: the oldest link's entries, then each later link's key resets and entries
   * in turn (later entries win). Operator entries count only from the newest link, which has them all.
   * Holds one key group's entries in memory at a time.
   */
  private *merged(
    readers: Readers,
    unit: Unit,
    keyGroup: number,
  ): Generator<{ keyGroup: number; entry: KeyedStateEntry }> {
    const byKey = new Map<unknown, Map<string, unknown[]>>();
    for (const link of unit.links) {
      const isTip = link === unit.tip;
      for (const record of readers.records(link, SECTION_ENTRIES, keyGroup)) {
        if (record[0] === TAG_RESET) {
          byKey.delete(mapKeyOf(record[1]));
          continue;
        }
        const state = record[1] as string;
        if (state.startsWith(OPERATOR_STATE_PREFIX)) {
          if (isTip) yield { keyGroup, entry: toEntry(record) };
          continue;
        }
        const mapKey = mapKeyOf(record[2]);
        let cells = byKey.get(mapKey);
        if (cells === undefined) {
          cells = new Map();
          byKey.set(mapKey, cells);
        }
        cells.set(`${record[3] as string}\u0000${state}`, record);
      }
    }
    for (const cells of byKey.values())
      for (const record of cells.values()) yield { keyGroup, entry: toEntry(record) };
  }
}

/** Byte readers opened on first use during one pass and closed when the pass ends. */
class Readers {
  private readonly open = new Map<SnapshotFile, ByteReader>();

  *records(file: SnapshotFile, section: number, keyGroup: number): Generator<unknown[]> {
    const refs = file.chunks(section, keyGroup);
    if (refs.length === 0) return;
    let reader = this.open.get(file);
    if (reader === undefined) {
      reader = file.source.openSync();
      this.open.set(file, reader);
    }
    for (const ref of refs) yield* file.records(reader, ref);
  }

  close(): void {
    for (const reader of this.open.values()) reader.close();
    this.open.clear();
  }
}

function toEntry(record: unknown[]): KeyedStateEntry {
  return {
    state: record[1] as string,
    key: record[2],
    namespace: record[3] as string,
    kind: record[4] as StateKind | undefined,
    value: record[5],
    touchedAt: record[6] as number | undefined,
    stamps: record[7] as number[] | undefined,
  };
}
