import { StreamError } from '../common/errors.ts';
import type { StateTtlConfig } from '../plan/state.ts';

/** A stored value with the time it was last written (or read, with 'read-and-write'). */
export class TtlCell {
  value: unknown;
  stamp: number;

  constructor(value: unknown, stamp: number) {
    this.value = value;
    this.stamp = stamp;
  }
}

/** A StateTtlConfig with its defaults resolved, so the hot path reads plain booleans. */
export interface TtlPolicy {
  readonly ttl: number;
  readonly refreshOnRead: boolean;
  readonly returnExpired: boolean;
}

export function ttlPolicyOf(name: string, config: StateTtlConfig | undefined): TtlPolicy | undefined {
  if (config === undefined) return undefined;
  if (!(config.ttl > 0)) {
    throw new StreamError(
      'ENG_INVALID_ARGUMENT',
      `state "${name}" has a TTL of ${config.ttl} ms; a TTL must be a positive number of milliseconds`,
    );
  }
  return {
    ttl: config.ttl,
    refreshOnRead: config.updateOn === 'read-and-write',
    returnExpired: config.visibility === 'return-expired-if-not-cleaned-up',
  };
}

export function isExpired(cell: TtlCell, policy: TtlPolicy, now: number): boolean {
  return cell.stamp + policy.ttl <= now;
}
