/** One event on topic `website-clicks`. `timestamp` is epoch seconds (below 10^12) or milliseconds. */
export interface Click {
  readonly user_id: string;
  readonly page: string;
  readonly action: string;
  readonly timestamp: number;
}

export interface PageViews {
  readonly page: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly views: number;
}

export interface UserMetrics {
  readonly user_id: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly events: number;
  readonly clicks: number;
}

/** Epoch seconds and epoch milliseconds both occur in the input; values below 10^12 are seconds. */
export function eventTimeMillis(click: Click): number {
  return click.timestamp < 1e12 ? click.timestamp * 1000 : click.timestamp;
}

/**
 * Decodes one record. Anything that is not a click (bad JSON, a missing or mistyped field) throws, so
 * the source routes the original bytes to the dead-letter topic with the reason.
 */
export function parseClick(value: Uint8Array | null): Click {
  if (value === null) throw new Error('record has no value');
  const parsed: unknown = JSON.parse(new TextDecoder().decode(value));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('expected a JSON object');
  const { user_id, page, action, timestamp } = parsed as Record<string, unknown>;
  if (typeof user_id !== 'string') throw new Error('user_id must be a string');
  if (typeof page !== 'string') throw new Error('page must be a string');
  if (typeof action !== 'string') throw new Error('action must be a string');
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
    throw new Error('timestamp must be a non-negative number (epoch seconds or milliseconds)');
  }
  return { user_id, page, action, timestamp };
}
