/**
 * Which keys changed between snapshots, for incremental snapshots (keys by their lmdb key id, so
 * nothing but strings and numbers is kept). Each checkpoint snapshot closes a period; a delta against
 * checkpoint B holds the keys changed in every period after B. Tracking starts with the first
 * checkpoint (a job without checkpoints pays nothing) and stops (the next snapshot is then complete)
 * when more than `limit` keys are remembered.
 */
export class ChangeLog {
  private readonly limit: number;
  /** Changes since the last snapshot; undefined once more than `limit` were seen. */
  private current: Set<string | number> | undefined;
  /** Closed periods: the keys changed up to each checkpoint's snapshot, since the one before. */
  private periods: { checkpointId: number; changes: Set<string | number> }[] = [];
  private remembered = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  add(keyId: string | number): void {
    const current = this.current;
    if (current === undefined) return;
    const size = current.size;
    current.add(keyId);
    if (current.size !== size && ++this.remembered > this.limit) {
      this.current = undefined;
      this.periods = [];
      this.remembered = 0;
    }
  }

  /**
   * Closes the period at a snapshot of `checkpointId` (undefined: a savepoint, which closes nothing)
   * and returns the keys changed since checkpoint `base` (as the sets of the periods since, which may
   * overlap: the caller de-duplicates while it writes, after the cut), or undefined when the log cannot
   * tell (then the snapshot must be complete).
   */
  cut(
    checkpointId: number | undefined,
    base: number | undefined,
  ): readonly Set<string | number>[] | undefined {
    if (checkpointId === undefined) return undefined;
    const closed = this.current;
    this.current = new Set();
    if (closed === undefined) this.periods = []; // not tracked until now, or too many
    this.periods.push({ checkpointId, changes: closed ?? new Set() });
    const at = base === undefined ? -1 : this.periods.findIndex((p) => p.checkpointId === base);
    if (at < 0) return undefined;
    // Checkpoints never go back to an older base, so periods up to the base are no longer needed.
    this.periods = this.periods.slice(at);
    this.remembered = this.periods.reduce((n, p) => n + p.changes.size, 0);
    return this.periods.slice(1).map((p) => p.changes);
  }

  /** After a restore nothing earlier can serve as a base. */
  clear(): void {
    this.current = undefined;
    this.periods = [];
    this.remembered = 0;
  }
}
