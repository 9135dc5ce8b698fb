// detectAnomalies on the operator harness (per-sensor state, the min-readings and threshold rules) and
// the job's flag checks. end-to-end.test.ts runs the whole job against a broker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../src/common/random.ts';
import { createEnvironment, isStreamError, OperatorHarness, valueState } from '../../src/index.ts';
import sensorJob, { detectAnomalies, type Reading } from './job.ts';
import type { RunningStats } from './running-stats.ts';

const statsState = valueState<RunningStats>('running-stats');

const reading = (sensor_id: string, value: number, timestamp = 0): Reading => ({
  sensor_id,
  value,
  timestamp,
});

async function harness(minReadings: number, threshold?: number) {
  return OperatorHarness.forKeyedProcess(
    detectAnomalies(minReadings, threshold),
    (r: Reading) => r.sensor_id,
  );
}

test('nothing is flagged before a sensor has min-readings readings', async () => {
  const h = await harness(5);
  for (const value of [10, 12, 10, 12, 100]) h.processElement(reading('s1', value));
  assert.deepEqual(h.output(), [], 'the 100 came with 4 readings before it');
  h.processElement(reading('s1', 500));
  assert.equal(h.output().length, 1, 'with 5 readings before it, 500 is flagged');
  await h.close();
});

test('a spike is flagged with the mean and stddev of the readings before it', async () => {
  const h = await harness(4);
  for (const value of [10, 12, 10, 12]) h.processElement(reading('s1', value, 1_000));
  h.processElement(reading('s1', 100, 5_000), 5_000);
  // Before the spike: mean 11, sample variance 4/3.
  const stddev = Math.sqrt(4 / 3);
  assert.deepEqual(h.output(), [
    { sensor_id: 's1', value: 100, mean: 11, stddev, score: 89 / stddev, timestamp: 5_000 },
  ]);
  assert.equal(h.outputWithTimestamps()[0]?.timestamp, 5_000, 'the anomaly keeps the reading timestamp');
  // The spike itself now counts towards the sensor's statistics.
  assert.equal(h.state('s1', statsState)?.count, 5);
  assert.equal(h.state('s1', statsState)?.mean, (44 + 100) / 5);
  await h.close();
});

test('the threshold is strict: a reading exactly threshold stddevs away is not flagged', async () => {
  const h = await harness(5, 3);
  // [0, 2, 0, 2, 1]: mean 1 and sample stddev 1, exactly, for both sensors.
  for (const sensor of ['edge', 'over'])
    for (const v of [0, 2, 0, 2, 1]) h.processElement(reading(sensor, v));
  assert.deepEqual(h.state('edge', statsState), { count: 5, mean: 1, m2: 4 });
  h.processElement(reading('edge', 4));
  h.processElement(reading('over', 4.01));
  const flagged = h.output();
  assert.equal(flagged.length, 1);
  assert.equal(flagged[0]?.sensor_id, 'over');
  assert.ok(Math.abs((flagged[0]?.score ?? 0) - 3.01) < 1e-12);
  await h.close();
});

test('a sensor whose readings were all equal flags nothing (its stddev is 0)', async () => {
  const h = await harness(3);
  for (const value of [7, 7, 7, 7, 8, 1_000]) h.processElement(reading('flat', value));
  // 8 comes with stddev 0 and is not flagged; then stddev > 0 and 1000 is.
  assert.deepEqual(
    h.output().map((a) => a.value),
    [1_000],
  );
  await h.close();
});

test('sensors are independent: state per sensor, one sensor spiking does not move the other', async () => {
  const h = await harness(10);
  const rand = seededRandom(11);
  for (let i = 0; i < 10; i++) {
    h.processElement(reading('cold', -20 + rand()));
    h.processElement(reading('hot', 1_000 + rand()));
  }
  const hotBefore = h.state('hot', statsState);
  // Normal for 'hot', far off for 'cold'; and the other way round.
  h.processElement(reading('cold', 1_000));
  h.processElement(reading('hot', 1_000.5));
  h.processElement(reading('hot', -20));
  h.processElement(reading('cold', -19.5));
  assert.deepEqual(
    h.output().map((a) => [a.sensor_id, a.value]),
    [
      ['cold', 1_000],
      ['hot', -20],
    ],
  );
  assert.equal(h.keyCount(), 2);
  assert.equal(h.state('cold', statsState)?.count, 12);
  assert.equal(h.state('hot', statsState)?.count, 12);
  assert.equal(hotBefore?.count, 10);
  assert.equal(h.state('nobody', statsState), undefined);
  await h.close();
});

test('a bad --min-readings or --threshold is a usage error naming the flag', () => {
  for (const [flags, message] of [
    [{ 'min-readings': 'ten' }, /--min-readings needs a whole number of at least 2, got "ten"/],
    [{ 'min-readings': '1' }, /--min-readings .* got "1"/],
    [{ threshold: '-1' }, /--threshold needs a positive number, got "-1"/],
  ] as const) {
    assert.throws(
      () => sensorJob(createEnvironment({ jobName: 'sensors' }), { flags }),
      (e) => isStreamError(e, 'CLI_BAD_ARGUMENT') && message.test(e.message),
    );
  }
});
