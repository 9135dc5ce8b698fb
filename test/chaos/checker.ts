// A Jepsen-style checker for produce/consume histories from real clients: what producers saw
// acknowledged, and what a consumer read back. Pure: no I/O, so its own test can feed it broken histories.

/** A record a producer saw acknowledged; partition and offset when the client reported them. */
export interface AckedRecord {
  readonly value: string;
  readonly partition?: number;
  readonly offset?: number;
}

/** A record read back. */
export interface ConsumedRecord {
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

/** What a run did. */
export interface History {
  readonly acked: readonly (string | AckedRecord)[];
  /** Every record read back; reading the same position twice (with the same value) is fine. */
  readonly consumed: readonly ConsumedRecord[];
  /** Values producers tried to send, acknowledged or not: anything else read back was never written. */
  readonly attempted?: readonly string[];
  /**
   * Values written in transactions that were aborted. `consumed` must have been read with
   * read_committed, and must hold none of them.
   */
  readonly aborted?: readonly string[];
}

/** Options of a check. */
export interface CheckOptions {
  /** Without idempotence, retries may legally store a record twice (Kafka's validate_delivery rule). */
  readonly allowDuplicates?: boolean;
}

type Position = { readonly partition: number; readonly offset: number };

/** One broken promise. */
export type Violation =
  /** Acknowledged, never read back. */
  | { readonly kind: 'lost'; readonly value: string }
  /** Read back at more than one position. */
  | { readonly kind: 'duplicate'; readonly value: string; readonly positions: readonly Position[] }
  /** One position read back with different values. */
  | {
      readonly kind: 'offset-conflict';
      readonly partition: number;
      readonly offset: number;
      readonly values: readonly string[];
    }
  /** Acknowledged at one position, read back at another (or not at that one). */
  | {
      readonly kind: 'wrong-offset';
      readonly value: string;
      readonly acked: Position;
      readonly found: readonly Position[];
    }
  /** Written in an aborted transaction, yet read under read_committed. */
  | {
      readonly kind: 'aborted-visible';
      readonly value: string;
      readonly partition: number;
      readonly offset: number;
    }
  /** Read back but never sent. */
  | {
      readonly kind: 'unexpected';
      readonly value: string;
      readonly partition: number;
      readonly offset: number;
    };

/**
 * Every violation of: acked ⊆ consumed; no duplicates (unless allowed); each offset holds one value;
 * acknowledged offsets hold their value; nothing from an aborted transaction is visible; nothing appears
 * that was never sent. An empty list means the history is valid.
 *
 * @example
 * checkHistory({ acked: ['a', 'b'], consumed: [{ partition: 0, offset: 0, value: 'a' }] });
 * // [{ kind: 'lost', value: 'b' }]
 */
export function checkHistory(history: History, options: CheckOptions = {}): Violation[] {
  const violations: Violation[] = [];
  const byPosition = new Map<string, { position: Position; values: Set<string> }>();
  for (const r of history.consumed) {
    const key = `${r.partition}/${r.offset}`;
    let slot = byPosition.get(key);
    if (slot === undefined) {
      slot = { position: { partition: r.partition, offset: r.offset }, values: new Set() };
      byPosition.set(key, slot);
    }
    slot.values.add(r.value);
  }
  const positionsOf = new Map<string, Position[]>();
  for (const { position, values } of byPosition.values()) {
    if (values.size > 1) {
      violations.push({ kind: 'offset-conflict', ...position, values: [...values].sort() });
    }
    for (const value of values) {
      const list = positionsOf.get(value) ?? [];
      list.push(position);
      positionsOf.set(value, list);
    }
  }

  for (const entry of history.acked) {
    const acked = typeof entry === 'string' ? { value: entry } : entry;
    const found = positionsOf.get(acked.value) ?? [];
    if (found.length === 0) {
      violations.push({ kind: 'lost', value: acked.value });
      continue;
    }
    if (acked.partition !== undefined && acked.offset !== undefined) {
      const at = { partition: acked.partition, offset: acked.offset };
      if (!found.some((p) => p.partition === at.partition && p.offset === at.offset)) {
        violations.push({ kind: 'wrong-offset', value: acked.value, acked: at, found });
      }
    }
  }

  if (!options.allowDuplicates) {
    for (const [value, positions] of positionsOf) {
      if (positions.length > 1) violations.push({ kind: 'duplicate', value, positions: sorted(positions) });
    }
  }

  const aborted = new Set(history.aborted ?? []);
  const attempted = history.attempted === undefined ? null : new Set(history.attempted);
  for (const [value, positions] of positionsOf) {
    for (const p of positions) {
      if (aborted.has(value)) violations.push({ kind: 'aborted-visible', value, ...p });
      if (attempted !== null && !attempted.has(value)) violations.push({ kind: 'unexpected', value, ...p });
    }
  }
  return violations;
}

/** A short human summary of violations for assertion messages (first few of each kind). */
export function describeViolations(violations: readonly Violation[], perKind = 3): string {
  const byKind = new Map<string, Violation[]>();
  for (const v of violations) byKind.set(v.kind, [...(byKind.get(v.kind) ?? []), v]);
  return [...byKind]
    .map(
      ([kind, list]) =>
        `${list.length} ${kind}: ${list
          .slice(0, perKind)
          .map((v) => JSON.stringify(v))
          .join(' ')}`,
    )
    .join('\n');
}

function sorted(positions: Position[]): Position[] {
  return [...positions].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
