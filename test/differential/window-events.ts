// Random event streams for the differential window tests, and what Flink's rules say must happen to
// them: which events are late, and how often each window fires. Everything here is computed from the
// definitions (watermark = max timestamp so far − bound − 1; an element is late when every window it
// belongs to has end − 1 + allowedLateness <= watermark), never by calling the engine.
import { seededRandom } from '../../src/common/random.ts';
import { type OracleWindow, type WindowRow, windowAnswer } from '../support/duckdb-oracle.ts';

export interface Event {
  /** Position in the input, so outputs can be matched back to inputs. */
  readonly id: number;
  readonly key: string;
  readonly ts: number;
  /** Whole numbers, so sums are exact in both DuckDB (double) and JavaScript. */
  readonly value: number;
}

export type WindowShape =
  | { readonly kind: 'tumbling'; readonly size: number; readonly offset: number }
  | { readonly kind: 'sliding'; readonly size: number; readonly slide: number; readonly offset: number }
  | { readonly kind: 'session'; readonly gap: number };

export interface Scenario {
  readonly seed: number;
  readonly shape: WindowShape;
  /** Bounded out-of-orderness of the watermark strategy (ms). */
  readonly bound: number;
  readonly allowedLateness: number;
  readonly events: number;
  readonly keys: number;
  /** Timestamp of the first event; negative to cross zero. */
  readonly startTime: number;
  /** Share of events generated behind the watermark. */
  readonly lateShare: number;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

const floorMod = (a: number, b: number): number => ((a % b) + b) % b;

/** The windows an event time belongs to, from the definitions (sessions: the element's own window). */
export function windowsOf(ts: number, shape: WindowShape): Span[] {
  if (shape.kind === 'session') return [{ start: ts, end: ts + shape.gap }];
  const slide = shape.kind === 'sliding' ? shape.slide : shape.size;
  const spans: Span[] = [];
  for (let start = ts - floorMod(ts - shape.offset, slide); start > ts - shape.size; start -= slide)
    spans.push({ start, end: start + shape.size });
  return spans;
}

/** The watermark each event meets on arrival when one follows every element: max so far − bound − 1. */
export function arrivalWatermarks(events: readonly Event[], bound: number): number[] {
  let max = Number.NEGATIVE_INFINITY;
  return events.map((e) => {
    const watermark = max - bound - 1;
    if (e.ts > max) max = e.ts;
    return watermark;
  });
}

/**
 * The events that must go to the late output, in input order. An element late for some of its sliding
 * windows but not all is not late (Flink adds it to the others); the generator avoids such elements so
 * that "input minus late" is exactly what DuckDB should see, and this throws if one slipped through.
 */
export function expectedLate(events: readonly Event[], scenario: Scenario): Event[] {
  const marks = arrivalWatermarks(events, scenario.bound);
  return events.filter((e, i) => {
    const lateFor = windowsOf(e.ts, scenario.shape).map(
      (w) => w.end - 1 + scenario.allowedLateness <= marks[i],
    );
    const late = lateFor.every(Boolean);
    if (!late && lateFor.some(Boolean)) throw new Error(`event ${e.id} is late for only some of its windows`);
    return late;
  });
}

/** "key|start|end", to group results per (key, window). */
export const windowId = (key: string, w: Span): string => `${key}|${w.start}|${w.end}`;

/**
 * For tumbling and sliding windows: the (count, sum) of every firing of every window, in order. A
 * window fires once with its on-time elements when the watermark passes its end (or at the end of
 * input), then once more for each element that arrives within the allowed lateness afterwards.
 */
export function expectedFirings(events: readonly Event[], scenario: Scenario): Map<string, WindowRow[]> {
  const marks = arrivalWatermarks(events, scenario.bound);
  const late = new Set(expectedLate(events, scenario).map((e) => e.id));
  const arrivals = new Map<string, { row: Omit<WindowRow, 'count' | 'sum'>; on: Event[]; after: Event[] }>();
  events.forEach((e, i) => {
    if (late.has(e.id)) return;
    for (const w of windowsOf(e.ts, scenario.shape)) {
      const id = windowId(e.key, w);
      let entry = arrivals.get(id);
      if (entry === undefined) {
        entry = { row: { key: e.key, start: w.start, end: w.end }, on: [], after: [] };
        arrivals.set(id, entry);
      }
      (w.end - 1 <= marks[i] ? entry.after : entry.on).push(e);
    }
  });
  const firings = new Map<string, WindowRow[]>();
  for (const [id, { row, on, after }] of arrivals) {
    const rows: WindowRow[] = [];
    let count = on.length;
    let sum = on.reduce((s, e) => s + e.value, 0);
    if (count > 0) rows.push({ ...row, count, sum });
    for (const e of after) {
      count++;
      sum += e.value;
      rows.push({ ...row, count, sum });
    }
    firings.set(id, rows);
  }
  return firings;
}

/** DuckDB's answer; offsets are handled by shifting time, since the oracle's windows start at 0. */
export async function oracleAnswer(events: readonly Event[], shape: WindowShape): Promise<WindowRow[]> {
  if (shape.kind === 'session') return windowAnswer(events, { kind: 'session', gap: shape.gap });
  const window: OracleWindow =
    shape.kind === 'tumbling'
      ? { kind: 'tumbling', size: shape.size }
      : { kind: 'sliding', size: shape.size, slide: shape.slide };
  const shifted = events.map((e) => ({ ...e, ts: e.ts - shape.offset }));
  const rows = await windowAnswer(shifted, window);
  return rows.map((r) => ({ ...r, start: r.start + shape.offset, end: r.end + shape.offset }));
}

/** Rows sorted as the oracle sorts them (key, start, end). */
export function sortRows(rows: readonly WindowRow[]): WindowRow[] {
  return [...rows].sort((a, b) =>
    a.key !== b.key ? (a.key < b.key ? -1 : 1) : a.start - b.start || a.end - b.end,
  );
}

/** The last result of each (key, window): with allowed lateness a window fires more than once. */
export function lastPerWindow(rows: readonly WindowRow[]): WindowRow[] {
  const last = new Map<string, WindowRow>();
  for (const row of rows) last.set(windowId(row.key, row), row);
  return sortRows([...last.values()]);
}

/** Every firing of every (key, window), in emission order. */
export function firingsPerWindow(rows: readonly WindowRow[]): Map<string, WindowRow[]> {
  const firings = new Map<string, WindowRow[]>();
  for (const row of rows) {
    const id = windowId(row.key, row);
    firings.set(id, [...(firings.get(id) ?? []), { ...row }]);
  }
  return firings;
}

/**
 * Events with mostly rising timestamps, some out of order within the bound (never late), about
 * `lateShare` behind the watermark, and some placed on the edges the rules care about.
 *
 * Tumbling and sliding: an event behind the watermark lies up to a window size plus twice the allowed
 * lateness behind it, so some are dropped and (with lateness > 0) some are allowed; one late for only
 * part of its sliding windows is drawn again. Edges: some forward steps put the next watermark where
 * a window's end − 1 + lateness equals it or it + 1, and an event behind such a watermark is often
 * put in that window, so off-by-one mistakes in the watermark or the lateness rule show.
 *
 * Sessions: Flink's streaming sessions differ from a batch sessionization when an element touches a
 * session that has already fired and been purged: the batch joins them, the stream starts a new
 * session. Two kinds of element could do that, so neither is generated. (1) A late element bridging
 * into a purged session: late events here are "ancient", older than every event seen so far by more
 * than the gap, and late by their own window, so they touch nothing and are always dropped.
 * (2) An element at exactly watermark + 1, which is within the bound yet touches a session ending at
 * watermark + 1 that fired (and, with lateness 0, was purged) at that watermark: out-of-order events
 * here stay at least watermark + 2. Edges: some events come exactly one gap (or gap + 1) after their
 * key's latest event, so touching windows must merge and those one further apart must not.
 */
export function generateEvents(scenario: Scenario): Event[] {
  const { shape, bound, allowedLateness: lateness } = scenario;
  const rand = seededRandom(scenario.seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const events: Event[] = [];
  const lastOfKey = new Map<string, number>();
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  const span = shape.kind === 'session' ? shape.gap : shape.size;
  const step = (): number => max + (rand() < 0.05 ? span + int(3 * span) : int(Math.ceil(span / 8)));
  for (let id = 0; id < scenario.events; id++) {
    const key = `k${int(scenario.keys)}`;
    const watermark = max - bound - 1;
    const roll = rand();
    let ts: number;
    if (id === 0) ts = scenario.startTime;
    else if (roll < scenario.lateShare) {
      ts =
        shape.kind === 'session'
          ? Math.min(min - shape.gap - 1, watermark - shape.gap + 1 - lateness) - int(span)
          : (behindAligned(watermark, shape, lateness, int) ?? max - int(bound + 1));
    } else if (roll < scenario.lateShare + 0.25) {
      ts = max - int(shape.kind === 'session' ? bound : bound + 1);
    } else if (roll < scenario.lateShare + 0.35) {
      if (shape.kind !== 'session') ts = edgeStep(max, bound, shape, lateness, int(2));
      else {
        const touching = (lastOfKey.get(key) ?? max) + shape.gap + int(2);
        ts = touching >= watermark + 2 ? touching : step();
      }
    } else ts = step();
    events.push({ id, key, ts, value: int(120) - 20 });
    if (ts > max) max = ts;
    if (ts < min) min = ts;
    if (ts > (lastOfKey.get(key) ?? Number.NEGATIVE_INFINITY)) lastOfKey.set(key, ts);
  }
  return events;
}

type AlignedShape = Exclude<WindowShape, { kind: 'session' }>;

const slideOf = (shape: AlignedShape): number => (shape.kind === 'sliding' ? shape.slide : shape.size);

/** Whether some window ends at `time`. */
const isEnd = (time: number, shape: AlignedShape): boolean =>
  windowsOf(time - 1, shape).some((w) => w.end === time);

/** The first time from `max` on after which the watermark sits on a lateness edge (or one past it). */
function edgeStep(max: number, bound: number, shape: AlignedShape, lateness: number, past: number): number {
  let ts = max;
  while (!isEnd(ts - bound - 1 + 1 - lateness + past, shape)) ts++;
  return ts;
}

/** A time behind the watermark that is late for all or none of its windows, or undefined. */
function behindAligned(
  watermark: number,
  shape: AlignedShape,
  lateness: number,
  int: (n: number) => number,
): number | undefined {
  const slide = slideOf(shape);
  // Window ends at which an element becomes late at this watermark, or is one ms short of it.
  const edges = [watermark + 1 - lateness, watermark + 2 - lateness].filter((e) => isEnd(e, shape));
  for (let attempt = 0; attempt < 10; attempt++) {
    let ts = watermark - int(shape.size + 2 * lateness + 1);
    if (edges.length > 0 && int(3) > 0) {
      const edge = edges[int(edges.length)];
      // The edge is the end of the element's oldest window, or of its newest one.
      ts = (int(2) === 0 ? edge - slide : edge - shape.size) + int(slide);
    }
    const late = windowsOf(ts, shape).map((w) => w.end - 1 + lateness <= watermark);
    if (late.every(Boolean) || !late.some(Boolean)) return ts;
  }
  return undefined;
}
