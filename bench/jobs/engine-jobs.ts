// The engine benchmark's three jobs as one job file, for runs on worker threads (bench/scaling.ts).
// Flags: --job stateless|window|clickstream|kafka-clickstream --events N [--topic T] (kafka-clickstream
// reads JSON clicks from topic T to its end, as the clickstream example does).
import { type Click, parseClick } from '../../examples/clickstream/clicks.ts';
import { clickstreamPipeline, clickWatermarks } from '../../examples/clickstream/job.ts';
import {
  type AggregateFunction,
  datagenSource,
  defineJob,
  discardSink,
  kafkaSource,
  Time,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../src/index.ts';

export interface Reading {
  readonly id: number;
  readonly key: number;
  readonly value: number;
  readonly ts: number;
}

export const KEYS = 1_000;
/** Event i: 10 events per millisecond of event time, keys round-robin (as in bench/engine.ts). */
export const reading = (i: number): Reading => ({
  id: i,
  key: i % KEYS,
  value: i & 1023,
  ts: Math.floor(i / 10),
});
const PAGES = ['/home', '/cart', '/search', '/about', '/products', '/blog', '/help', '/checkout'];
const ACTIONS = ['view', 'view', 'click', 'scroll'];
export const click = (i: number): Click => ({
  user_id: `u${(i * 7) % 5_000}`,
  page: PAGES[i & 7] as string,
  action: ACTIONS[i & 3] as string,
  timestamp: 1_700_000_000_000 + Math.floor(i / 10),
});
export const count: AggregateFunction<Reading, number, number> = {
  createAccumulator: () => 0,
  add: (_r, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

export default defineJob((env, { flags }) => {
  const events = Number(flags.events ?? 4_000_000);
  switch (flags.job) {
    case 'stateless':
      env
        .fromSource(
          datagenSource({ generate: reading, count: events }),
          WatermarkStrategy.noWatermarks<Reading>(),
          'gen',
        )
        .map((r) => ({ id: r.id, doubled: r.value * 2 }))
        .filter((r) => r.doubled % 3 !== 0)
        .sinkTo(discardSink());
      return;
    case 'window':
      env
        .fromSource(
          datagenSource({ generate: reading, count: events }),
          WatermarkStrategy.forMonotonousTimestamps<Reading>().withTimestampAssigner((r) => r.ts),
          'gen',
        )
        .keyBy((r) => r.key)
        .window(TumblingEventTimeWindows.of(Time.seconds(10)))
        .aggregate(count)
        .sinkTo(discardSink());
      return;
    case 'clickstream':
      clickstreamPipeline(
        env.fromSource(datagenSource({ generate: click, count: events }), clickWatermarks, 'clicks'),
        {
          pageViews: discardSink(),
          userMetrics: discardSink(),
          lateClicks: discardSink(),
        },
      );
      return;
    case 'kafka-clickstream': {
      const source = kafkaSource<Click>({
        topics: [flags.topic ?? 'bench-clicks'],
        startFrom: 'earliest',
        format: { deserialize: parseClick },
        stopAtEnd: true,
      });
      clickstreamPipeline(env.fromSource(source, clickWatermarks, 'clicks'), {
        pageViews: discardSink(),
        userMetrics: discardSink(),
        lateClicks: discardSink(),
      });
      return;
    }
    default:
      throw new Error(`--job must be stateless, window, clickstream or kafka-clickstream, got ${flags.job}`);
  }
});
