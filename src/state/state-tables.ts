import { StreamError } from '../common/errors.ts';
import type { StateDescriptor, StateTtlConfig } from '../plan/state.ts';
import { OPERATOR_STATE_PREFIX, type StateKind } from './snapshot-format.ts';
import { type TtlPolicy, ttlPolicyOf } from './ttl.ts';

/**
 * One state of an operator: its id is the index into every row's slot arrays. A state restored from a
 * snapshot has a table before its descriptor is used again (`descriptor` undefined until then), so its
 * values can be stored, snapshotted again and merged like any other.
 */
export class StateTable {
  readonly id: number;
  readonly name: string;
  kind: StateKind;
  descriptor: StateDescriptor | undefined;
  ttl: TtlPolicy | undefined;
  /** Values are stored as TtlCells (the state has, or was restored with, a TTL). */
  stamped: boolean;

  constructor(id: number, name: string, kind: StateKind, stamped: boolean) {
    this.id = id;
    this.name = name;
    this.kind = kind;
    this.stamped = stamped;
  }
}

/**
 * The states of one backend by name. `register` is called with each descriptor a handle is made for;
 * `restored` by a restore before the descriptors come. When a restored state's TTL presence differs
 * from its descriptor's (TTL added or removed since the snapshot), `restamp` converts its values.
 */
export class StateTables {
  readonly list: StateTable[] = [];
  private readonly byName = new Map<string, StateTable>();
  private readonly restamp: (table: StateTable, stamped: boolean) => void;

  constructor(restamp: (table: StateTable, stamped: boolean) => void) {
    this.restamp = restamp;
  }

  get(name: string): StateTable | undefined {
    return this.byName.get(name);
  }

  register(descriptor: StateDescriptor): StateTable {
    const known = this.byName.get(descriptor.name);
    if (known === undefined) {
      if (descriptor.name.startsWith(OPERATOR_STATE_PREFIX)) {
        throw new StreamError(
          'ENG_INVALID_ARGUMENT',
          `state name "${descriptor.name}" starts with "${OPERATOR_STATE_PREFIX}", which is reserved for operators' own snapshot entries; rename the state`,
        );
      }
      const ttl = ttlPolicyOf(descriptor.name, descriptor.ttl);
      const table = this.add(descriptor.name, descriptor.kind, ttl !== undefined);
      table.ttl = ttl;
      table.descriptor = descriptor;
      return table;
    }
    if (known.descriptor === undefined) {
      if (known.kind !== descriptor.kind) {
        throw conflict(
          descriptor.name,
          `${known.kind} state (restored from a snapshot)`,
          describe(descriptor),
        );
      }
      const ttl = ttlPolicyOf(descriptor.name, descriptor.ttl);
      const stamped = ttl !== undefined;
      if (known.stamped !== stamped) {
        this.restamp(known, stamped);
        known.stamped = stamped;
      }
      known.ttl = ttl;
      known.descriptor = descriptor;
      return known;
    }
    if (known.descriptor.kind !== descriptor.kind || !sameTtl(known.descriptor.ttl, descriptor.ttl)) {
      throw conflict(descriptor.name, describe(known.descriptor), describe(descriptor));
    }
    return known;
  }

  /** The table a restored entry goes to; a state seen for the first time gets a table without descriptor. */
  restored(name: string, kind: StateKind | undefined, stamped: boolean): StateTable {
    const known = this.byName.get(name);
    if (known !== undefined) {
      if (kind !== undefined && known.kind !== kind) {
        throw new StreamError(
          'ENG_RESTORE_FAILED',
          `the snapshot holds state "${name}" as ${kind} state and as ${known.kind} state; it was written by another operator`,
          { details: { state: name } },
        );
      }
      return known;
    }
    if (kind === undefined) {
      throw new StreamError(
        'ENG_RESTORE_FAILED',
        `the snapshot's entries of state "${name}" do not say their kind; it was not written by a keyed state backend`,
        { details: { state: name } },
      );
    }
    return this.add(name, kind, stamped);
  }

  private add(name: string, kind: StateKind, stamped: boolean): StateTable {
    const table = new StateTable(this.list.length, name, kind, stamped);
    this.list.push(table);
    this.byName.set(name, table);
    return table;
  }
}

function conflict(name: string, was: string, now: string): StreamError {
  return new StreamError(
    'ENG_STATE_DESCRIPTOR_CONFLICT',
    `state "${name}" is used as ${was} and as ${now}; give each state its own name`,
    { details: { state: name } },
  );
}

function sameTtl(a: StateTtlConfig | undefined, b: StateTtlConfig | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ttl === b.ttl && a.updateOn === b.updateOn && a.visibility === b.visibility;
}

function describe(descriptor: StateDescriptor): string {
  const ttl = descriptor.ttl === undefined ? '' : ` with a TTL of ${descriptor.ttl.ttl} ms`;
  return `${descriptor.kind} state${ttl}`;
}
