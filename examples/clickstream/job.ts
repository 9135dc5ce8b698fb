// Clickstream analytics: per-page views and per-user activity in 1-minute event-time windows.
//
//   eddy run examples/clickstream/job.ts -- --input-topic website-clicks
//
// Input: JSON clicks on `website-clicks`. Watermark = max timestamp - 5 s. Each window is emitted once,
// when the watermark passes its end, to `page-views` and `user-metrics`; events too late for their
// window go to `late-events`; records that are not clicks go to `dead-letters`.
import {
  type AggregateFunction,
  type DataStream,
  type DeadLetter,
  defineJob,
  kafkaSink,
  kafkaSource,
  outputTag,
  type ProcessWindowFunction,
  type SinkDescriptor,
  Time,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../src/index.ts';
import { type Click, eventTimeMillis, type PageViews, parseClick, type UserMetrics } from './clicks.ts';

const countViews: AggregateFunction<Click, number, number> = {
  createAccumulator: () => 0,
  add: (click, views) => (click.action === 'view' ? views + 1 : views),
  getResult: (views) => views,
  merge: (a, b) => a + b,
};

interface Activity {
  events: number;
  clicks: number;
}

const countActivity: AggregateFunction<Click, Activity, Activity> = {
  createAccumulator: () => ({ events: 0, clicks: 0 }),
  add: (click, acc) => ({ events: acc.events + 1, clicks: acc.clicks + (click.action === 'click' ? 1 : 0) }),
  getResult: (acc) => acc,
  merge: (a, b) => ({ events: a.events + b.events, clicks: a.clicks + b.clicks }),
};

const pageViewsRow: ProcessWindowFunction<number, PageViews, string> = {
  process(page, ctx, results, out) {
    for (const views of results) {
      out.collect({ page, window_start: ctx.window.start, window_end: ctx.window.end, views });
    }
  },
};

const userMetricsRow: ProcessWindowFunction<Activity, UserMetrics, string> = {
  process(user_id, ctx, results, out) {
    for (const { events, clicks } of results) {
      out.collect({ user_id, window_start: ctx.window.start, window_end: ctx.window.end, events, clicks });
    }
  },
};

export interface ClickstreamOutputs {
  readonly pageViews: SinkDescriptor<PageViews>;
  readonly userMetrics: SinkDescriptor<UserMetrics>;
  readonly lateClicks: SinkDescriptor<Click>;
}

/** The pipeline itself, apart from where clicks come from and results go (the benchmark reuses it). */
export function clickstreamPipeline(clicks: DataStream<Click>, outputs: ClickstreamOutputs): void {
  const lateClicks = outputTag<Click>('late-events');
  const pageViews = clicks
    .keyBy((click) => click.page)
    .window(TumblingEventTimeWindows.of(Time.minutes(1)))
    .sideOutputLateData(lateClicks)
    .aggregate(countViews, pageViewsRow)
    .name('page views per minute');
  pageViews.sinkTo(outputs.pageViews);
  // Both windows see the same clicks and watermarks, so one late output already holds every late click.
  pageViews.getSideOutput(lateClicks).sinkTo(outputs.lateClicks);

  clicks
    .keyBy((click) => click.user_id)
    .window(TumblingEventTimeWindows.of(Time.minutes(1)))
    .aggregate(countActivity, userMetricsRow)
    .name('user metrics per minute')
    .sinkTo(outputs.userMetrics);
}

/** Watermark = max timestamp - 5 s, timestamps in seconds or milliseconds. */
export const clickWatermarks = WatermarkStrategy.forBoundedOutOfOrderness<Click>(
  Time.seconds(5),
).withTimestampAssigner(eventTimeMillis);

export default defineJob((env, { flags }) => {
  const topics = {
    input: flags['input-topic'] ?? 'website-clicks',
    pageViews: flags['page-views-topic'] ?? 'page-views',
    userMetrics: flags['user-metrics-topic'] ?? 'user-metrics',
    late: flags['late-topic'] ?? 'late-events',
    deadLetters: flags['dead-letter-topic'] ?? 'dead-letters',
  };
  // With checkpoints (eddy run --state-dir ...) every output topic is written exactly once: records
  // and input offsets commit in one Kafka transaction per checkpoint. Without, at least once.
  const guarantee = env.config.checkpointing?.mode === 'exactly-once' ? 'exactly-once' : 'at-least-once';
  const clicks = env.fromSource(
    kafkaSource<Click>({
      topics: [topics.input],
      startFrom: 'earliest',
      format: { deserialize: parseClick },
    }),
    clickWatermarks,
    topics.input,
    {
      badRecords: {
        kind: 'dead-letter',
        sink: kafkaSink<DeadLetter>({ topic: topics.deadLetters, format: 'json', guarantee }),
      },
    },
  );
  clickstreamPipeline(clicks, {
    pageViews: kafkaSink<PageViews>({
      topic: topics.pageViews,
      format: 'json',
      key: (row) => row.page,
      guarantee,
    }),
    userMetrics: kafkaSink<UserMetrics>({
      topic: topics.userMetrics,
      format: 'json',
      key: (row) => row.user_id,
      guarantee,
    }),
    lateClicks: kafkaSink<Click>({
      topic: topics.late,
      format: 'json',
      key: (click) => click.user_id,
      guarantee,
    }),
  });
});
