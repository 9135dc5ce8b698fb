// Sensor anomaly detection: per sensor, keyed state holds a running mean and variance; a reading more
// than --threshold (default 3) standard deviations from the mean of the readings before it, once the
// sensor has --min-readings readings, is written to `anomalies`.
//
//   eddy run examples/sensor-anomalies/job.ts -- --input-topic sensor-readings --min-readings 10 --threshold 3
import {
  defineJob,
  type KeyedProcessFunction,
  kafkaSink,
  kafkaSource,
  StreamError,
  Time,
  type ValueState,
  valueState,
  WatermarkStrategy,
} from '../../src/index.ts';
import { addSample, EMPTY_STATS, type RunningStats, standardDeviation } from './running-stats.ts';

export interface Reading {
  readonly sensor_id: string;
  readonly value: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
}

export interface Anomaly {
  readonly sensor_id: string;
  readonly value: number;
  readonly mean: number;
  readonly stddev: number;
  /** How many standard deviations the reading is from the mean. */
  readonly score: number;
  readonly timestamp: number;
}

/** Flags a reading that is more than `threshold` standard deviations from the sensor's running mean. */
export function detectAnomalies(
  minReadings: number,
  threshold = 3,
): KeyedProcessFunction<string, Reading, Anomaly> {
  let stats: ValueState<RunningStats>;
  return {
    open(ctx) {
      stats = ctx.state.getState(valueState<RunningStats>('running-stats'));
    },
    processElement(reading, _ctx, out) {
      const current = stats.value() ?? EMPTY_STATS;
      const stddev = standardDeviation(current);
      if (current.count >= minReadings && stddev > 0) {
        const score = Math.abs(reading.value - current.mean) / stddev;
        if (score > threshold) {
          out.collect({
            sensor_id: reading.sensor_id,
            value: reading.value,
            mean: current.mean,
            stddev,
            score,
            timestamp: reading.timestamp,
          });
        }
      }
      stats.update(addSample(current, reading.value));
    },
  };
}

export default defineJob((env, { flags }) => {
  const minReadings = Number(flags['min-readings'] ?? 10);
  const threshold = Number(flags.threshold ?? 3);
  if (!Number.isInteger(minReadings) || minReadings < 2) {
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      `--min-readings needs a whole number of at least 2, got "${flags['min-readings']}"`,
    );
  }
  if (!(threshold > 0)) {
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      `--threshold needs a positive number, got "${flags.threshold}"`,
    );
  }
  env
    .fromSource(
      kafkaSource<Reading>({
        topics: [flags['input-topic'] ?? 'sensor-readings'],
        startFrom: 'earliest',
        format: 'json',
      }),
      WatermarkStrategy.forBoundedOutOfOrderness<Reading>(Time.seconds(5)).withTimestampAssigner(
        (r) => r.timestamp,
      ),
      'sensor readings',
    )
    .keyBy((reading) => reading.sensor_id)
    .process(detectAnomalies(minReadings, threshold))
    .name('detect anomalies')
    .sinkTo(
      kafkaSink<Anomaly>({
        topic: flags['output-topic'] ?? 'anomalies',
        format: 'json',
        key: (a) => a.sensor_id,
      }),
    );
});
