// `npm run bench -- engine [--events N]`: the engine against hand-written loops computing the same
// results from the same events, on one core (parallelism 1).
//   (a) generator → map → filter → discard
//   (b) generator → keyBy → 10 s tumbling event-time count → discard
//   (c) the clickstream example's pipeline on generated clicks
// Each engine figure is events per second of wall time for the whole job (one thread, so per core);
// the ratio is engine / hand-written.

import { clickstreamPipeline, clickWatermarks } from '../examples/clickstream/job.ts';
import {
  createEnvironment,
  datagenSource,
  discardSink,
  startJob,
  Time,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../src/index.ts';
import { click, count, type Reading, reading } from './jobs/engine-jobs.ts';
import { benchReport, printReport } from './lib/report.ts';

const argIndex = process.argv.indexOf('--events');
const EVENTS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 4_000_000;
const WINDOW = Time.seconds(10);

async function timeJob(build: (env: ReturnType<typeof createEnvironment>) => void): Promise<number> {
  const env = createEnvironment({ jobName: 'bench', parallelism: 1 });
  build(env);
  const start = performance.now();
  const job = startJob(env.toPlan());
  await job.done;
  return EVENTS / ((performance.now() - start) / 1000);
}

function timeLoop(loop: () => number): { rate: number; result: number } {
  const start = performance.now();
  const result = loop();
  return { rate: EVENTS / ((performance.now() - start) / 1000), result };
}

// (a) stateless chain
async function engineStateless(): Promise<number> {
  return timeJob((env) => {
    env
      .fromSource(
        datagenSource({ generate: reading, count: EVENTS }),
        WatermarkStrategy.noWatermarks<Reading>(),
        'gen',
      )
      .map((r) => ({ id: r.id, doubled: r.value * 2 }))
      .filter((r) => r.doubled % 3 !== 0)
      .sinkTo(discardSink());
  });
}
function loopStateless(): number {
  let kept = 0;
  for (const events of inChunks(reading)) {
    for (const r of events) {
      const m = { id: r.id, doubled: r.value * 2 };
      if (m.doubled % 3 !== 0) kept++;
    }
  }
  return kept;
}

/**
 * The hand-written side reads its events as a program would receive them, a chunk at a time from a
 * source, so both sides pay for creating the events. (Generating and consuming each event in one
 * expression lets V8 optimise the object away entirely, which no real input allows.)
 */
function* inChunks<T>(make: (i: number) => T): Generator<T[]> {
  for (let base = 0; base < EVENTS; base += 1024) {
    const chunk: T[] = [];
    for (let i = base; i < Math.min(EVENTS, base + 1024); i++) chunk.push(make(i));
    yield chunk;
  }
}

// (b) keyed tumbling count
async function engineWindow(): Promise<number> {
  return timeJob((env) => {
    env
      .fromSource(
        datagenSource({ generate: reading, count: EVENTS }),
        WatermarkStrategy.forMonotonousTimestamps<Reading>().withTimestampAssigner((r) => r.ts),
        'gen',
      )
      .keyBy((r) => r.key)
      .window(TumblingEventTimeWindows.of(WINDOW))
      .aggregate(count)
      .sinkTo(discardSink());
  });
}
function loopWindow(): number {
  // What a single-purpose program would do: one map of counts per open window, emitted when event
  // time (the watermark here) passes the window's end.
  const windows = new Map<number, Map<number, number>>();
  let emitted = 0;
  let watermark = Number.NEGATIVE_INFINITY;
  for (const chunk of inChunks(reading)) {
    for (const r of chunk) {
      const start = r.ts - (r.ts % WINDOW);
      let counts = windows.get(start);
      if (!counts) {
        counts = new Map();
        windows.set(start, counts);
      }
      counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
      if (r.ts - 1 > watermark) {
        watermark = r.ts - 1;
        for (const [s, c] of windows) {
          if (s + WINDOW - 1 <= watermark) {
            emitted += c.size;
            windows.delete(s);
          }
        }
      }
    }
  }
  for (const c of windows.values()) emitted += c.size;
  return emitted;
}

// (c) clickstream
async function engineClickstream(): Promise<number> {
  return timeJob((env) => {
    const clicks = env.fromSource(
      datagenSource({ generate: click, count: EVENTS }),
      clickWatermarks,
      'clicks',
    );
    clickstreamPipeline(clicks, {
      pageViews: discardSink(),
      userMetrics: discardSink(),
      lateClicks: discardSink(),
    });
  });
}
function loopClickstream(): number {
  const pages = new Map<number, Map<string, number>>();
  const users = new Map<number, Map<string, { events: number; clicks: number }>>();
  let emitted = 0;
  let maxTs = Number.NEGATIVE_INFINITY;
  const flush = (watermark: number) => {
    for (const [s, m] of pages) {
      if (s + 60_000 - 1 <= watermark) {
        emitted += m.size;
        pages.delete(s);
      }
    }
    for (const [s, m] of users) {
      if (s + 60_000 - 1 <= watermark) {
        emitted += m.size;
        users.delete(s);
      }
    }
  };
  for (const chunk of inChunks(click)) {
    for (const c of chunk) {
      const ts = c.timestamp < 1e12 ? c.timestamp * 1000 : c.timestamp;
      const start = ts - (ts % 60_000);
      let p = pages.get(start);
      if (!p) {
        p = new Map();
        pages.set(start, p);
      }
      p.set(c.page, (p.get(c.page) ?? 0) + (c.action === 'view' ? 1 : 0));
      let u = users.get(start);
      if (!u) {
        u = new Map();
        users.set(start, u);
      }
      const acc = u.get(c.user_id) ?? { events: 0, clicks: 0 };
      u.set(c.user_id, { events: acc.events + 1, clicks: acc.clicks + (c.action === 'click' ? 1 : 0) });
      if (ts > maxTs) {
        maxTs = ts;
        flush(maxTs - 5_000 - 1);
      }
    }
  }
  flush(Number.POSITIVE_INFINITY);
  return emitted;
}

const metrics: Record<string, number> = { events: EVENTS };
const cases = [
  ['stateless', engineStateless, loopStateless],
  ['window', engineWindow, loopWindow],
  ['clickstream', engineClickstream, loopClickstream],
] as const;
const lines: string[] = [];
for (const [name, engine, loop] of cases) {
  loop(); // warm-up both sides
  await engine();
  const hand = timeLoop(loop);
  const eng = await engine();
  metrics[`${name}EngineEventsPerSec`] = Math.round(eng);
  metrics[`${name}HandWrittenEventsPerSec`] = Math.round(hand.rate);
  metrics[`${name}Ratio`] = Number((eng / hand.rate).toFixed(3));
  lines.push(`${name} ${(eng / 1e6).toFixed(2)} M/s (${(eng / hand.rate).toFixed(2)}× hand-written)`);
}
printReport(benchReport('engine', metrics), `engine, events/s on one core: ${lines.join('; ')}`);
