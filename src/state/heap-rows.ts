/**
 * The heap backend's layout: one row per key (holding its key group, for per-key-group snapshots),
 * and in a row one slot array per namespace, indexed by the state's id. The default namespace has its
 * own array so ordinary keyed state costs no namespace lookup.
 */
export class Slots {
  /** Stored value per state id; undefined = absent. */
  readonly values: unknown[] = [];
  /** Present values in `values`. */
  count = 0;
}

export class KeyRow {
  readonly key: unknown;
  readonly keyGroup: number;
  /** Present values over all namespaces; the row is dropped when it reaches 0. */
  count = 0;
  readonly main = new Slots();
  named: Map<string, Slots> | undefined;

  constructor(key: unknown, keyGroup: number) {
    this.key = key;
    this.keyGroup = keyGroup;
  }

  slots(namespace: string): Slots | undefined {
    return namespace === '' ? this.main : this.named?.get(namespace);
  }

  slotsForWrite(namespace: string): Slots {
    if (namespace === '') return this.main;
    if (this.named === undefined) this.named = new Map();
    let slots = this.named.get(namespace);
    if (slots === undefined) {
      slots = new Slots();
      this.named.set(namespace, slots);
    }
    return slots;
  }
}

/** The default namespace: state that does not belong to a window. */
export const DEFAULT_NAMESPACE = '';
