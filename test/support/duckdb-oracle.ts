import { DuckDBInstance } from '@duckdb/node-api';

/** One input event for a windowed aggregation: a key, an event time (ms) and a number to sum. */
export interface OracleEvent {
  readonly key: string;
  readonly ts: number;
  readonly value: number;
}

/** One window's answer: the count and sum of the events of `key` in [start, end). */
export interface WindowRow {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly sum: number;
}

export type OracleWindow =
  | { readonly kind: 'tumbling'; readonly size: number }
  | { readonly kind: 'sliding'; readonly size: number; readonly slide: number }
  /** Flink merges session windows that touch: [a, a+gap) and [a+gap, ...) are one session. */
  | { readonly kind: 'session'; readonly gap: number };

/**
 * The batch answer of a keyed window count/sum, computed by DuckDB from the same events. Rows are
 * sorted by key, start, end so they compare directly with a stream's results.
 */
export async function windowAnswer(
  events: readonly OracleEvent[],
  window: OracleWindow,
): Promise<WindowRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run('create table ev (key varchar, ts bigint, value double)');
    const appender = await connection.createAppender('ev');
    for (const e of events) {
      appender.appendVarchar(e.key);
      appender.appendBigInt(BigInt(e.ts));
      appender.appendDouble(e.value);
      appender.endRow();
    }
    appender.closeSync();
    const reader = await connection.runAndReadAll(querySql(window));
    return reader.getRowObjectsJS().map((row) => ({
      key: String(row.key),
      start: Number(row.start),
      end: Number(row.end),
      count: Number(row.count),
      sum: Number(row.sum),
    }));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function querySql(window: OracleWindow): string {
  const order = 'order by key, start, "end"';
  switch (window.kind) {
    case 'tumbling': {
      const size = integer(window.size);
      return `select key, floor(ts / ${size})::bigint * ${size} as start, floor(ts / ${size})::bigint * ${size} + ${size} as "end",
        count(*) as count, sum(value) as sum from ev group by all ${order}`;
    }
    case 'sliding': {
      const size = integer(window.size);
      const slide = integer(window.slide);
      // Window starts are multiples of slide in (ts - size, ts]: range() stops before its second bound.
      return `with assigned as (
          select key, value, unnest(range(floor(ts / ${slide})::bigint * ${slide}, ts - ${size}, -${slide})) as start from ev)
        select key, start, start + ${size} as "end", count(*) as count, sum(value) as sum
        from assigned group by all ${order}`;
    }
    case 'session': {
      const gap = integer(window.gap);
      // Events with equal timestamps are peers: lag() puts them in some order and the running sum may
      // use another, so a 'rows' frame could split peers between two sessions. A 'range' frame counts
      // all peers together, and only the first of them can start a session.
      return `with ordered as (
          select *, ts - lag(ts) over (partition by key order by ts) as delta from ev),
        numbered as (
          select *, sum(case when delta is null or delta > ${gap} then 1 else 0 end)
            over (partition by key order by ts range between unbounded preceding and current row) as session from ordered)
        select key, min(ts) as start, max(ts) + ${gap} as "end", count(*) as count, sum(value) as sum
        from numbered group by key, session ${order}`;
    }
  }
}

function integer(value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`window sizes must be positive integers, got ${value}`);
  return value;
}
