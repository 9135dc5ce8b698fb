// The sensor anomaly job end to end: eddy's broker in this process, readings produced to
// `sensor-readings` (keyed by sensor, two partitions), the job file run as `eddy run` runs it, and the
// anomalies read back from the output topic and compared with an expectation computed here by a plain
// two-pass mean and standard deviation. Once at parallelism 1 and once at 2.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrokerHandle } from '../../src/broker/index.ts';
import { runJobFile } from '../../src/cli/run-job-file.ts';
import { createLogger } from '../../src/common/logging.ts';
import { seededRandom } from '../../src/common/random.ts';
import { type RunningJob, startEmbeddedBroker } from '../../src/index.ts';
import { createTopic, withAdmin } from '../../src/kafka/admin.ts';
import { consumeValues, produceLines } from '../../src/kafka/console.ts';
import type { Anomaly, Reading } from './job.ts';

const silent = createLogger({ level: 'silent' });

const JOB = join(import.meta.dirname, 'job.ts');
const MIN_READINGS = 10;
const PER_SENSOR = 40;
/**
 * Base level and spikes (reading index → offset) per sensor; `flat` has no noise, so stddev 0. With
 * parallelism 2 (128 key groups) boiler-3, pump-3 and flat-1 go to subtask 1, the others to subtask 0.
 */
const SENSORS: Record<string, { base: number; noise: number; spikes: Record<number, number> }> = {
  'boiler-1': { base: 70, noise: 1, spikes: { 4: 30, 15: 12, 30: -15 } },
  'boiler-3': { base: 72, noise: 1, spikes: { 20: 25 } },
  'fridge-1': { base: 4, noise: 0.5, spikes: { 12: -9, 13: -9, 35: 6 } },
  'fridge-2': { base: 5, noise: 0.5, spikes: {} },
  'pump-3': { base: 300, noise: 2, spikes: { 25: 12, 26: 60 } },
  'flat-1': { base: 50, noise: 0, spikes: { 20: 10 } },
};

let broker: BrokerHandle;
let dataDir: string;
let readings: Reading[];

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'eddy-sensor-anomalies-'));
  broker = await startEmbeddedBroker({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    durability: 'os',
    logger: silent,
  });
  // Two partitions, readings keyed by sensor: each sensor's readings stay in order in one partition.
  await withAdmin({ bootstrap: broker.bootstrap }, (admin) => createTopic(admin, 'sensor-readings', 2, {}));
  readings = makeReadings();
  // One record per reading, "sensor|json": the sensor id is the record key.
  const lines = readings.map((r) => `${r.sensor_id}|${JSON.stringify(r)}`);
  const sent = await produceLines(toAsync(lines), {
    bootstrap: broker.bootstrap,
    topic: 'sensor-readings',
    keySeparator: '|',
  });
  assert.equal(sent, readings.length);
});

after(async () => {
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function* toAsync<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

function makeReadings(): Reading[] {
  const rand = seededRandom(2024);
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000;
  const out: Reading[] = [];
  for (let i = 0; i < PER_SENSOR; i++) {
    for (const [sensor_id, s] of Object.entries(SENSORS)) {
      const noise = (rand() * 2 - 1) * s.noise;
      out.push({ sensor_id, value: s.base + noise + (s.spikes[i] ?? 0), timestamp: t0 + i * 1_000 });
    }
  }
  return out;
}

/** The anomalies the job should find, by the definition: two-pass statistics of the earlier readings. */
function expectedAnomalies(input: readonly Reading[], threshold = 3): Anomaly[] {
  const history = new Map<string, number[]>();
  const found: Anomaly[] = [];
  for (const r of input) {
    const before = history.get(r.sensor_id) ?? [];
    if (before.length >= MIN_READINGS) {
      const mean = before.reduce((a, b) => a + b, 0) / before.length;
      const stddev = Math.sqrt(before.reduce((a, b) => a + (b - mean) ** 2, 0) / (before.length - 1));
      const score = stddev === 0 ? 0 : Math.abs(r.value - mean) / stddev;
      // A score within rounding of the threshold would make the test depend on floating-point detail.
      assert.ok(
        Math.abs(score - threshold) > 1e-6,
        `reading too close to the threshold: ${JSON.stringify(r)}`,
      );
      if (score > threshold) found.push({ ...r, mean, stddev, score });
    }
    history.set(r.sensor_id, [...before, r.value]);
  }
  return found;
}

function bySensor(anomalies: readonly Anomaly[]): Map<string, Anomaly[]> {
  const groups = new Map<string, Anomaly[]>();
  for (const a of anomalies) groups.set(a.sensor_id, [...(groups.get(a.sensor_id) ?? []), a]);
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

function assertSameAnomalies(actual: readonly Anomaly[], expected: readonly Anomaly[]): void {
  const got = bySensor(actual);
  const want = bySensor(expected);
  assert.deepEqual([...got.keys()], [...want.keys()]);
  for (const [sensor, list] of want) {
    const seen = got.get(sensor) ?? [];
    // Exact for what the job copies; the statistics within rounding (one pass vs two).
    assert.deepEqual(
      seen.map((a) => [a.value, a.timestamp]),
      list.map((a) => [a.value, a.timestamp]),
      `anomalies of ${sensor}, in order`,
    );
    list.forEach((a, i) => {
      for (const field of ['mean', 'stddev', 'score'] as const) {
        const v = seen[i]?.[field] ?? Number.NaN;
        assert.ok(Math.abs(v - a[field]) <= 1e-9 * Math.max(1, Math.abs(a[field])), `${sensor} ${field}`);
      }
    });
  }
}

/** Resolves once `condition` holds; rejects when the job fails first or after `timeoutMs`. */
async function waitFor(job: RunningJob, what: string, condition: () => boolean, timeoutMs = 20_000) {
  let failure: unknown;
  job.done.catch((error: unknown) => {
    failure = error ?? new Error('the job failed');
  });
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (failure !== undefined) throw failure;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function recordsIn(job: RunningJob, name: (operator: string) => boolean): number[] {
  return job.execution
    .metrics()
    .operators.filter((o) => name(o.name))
    .map((o) => o.recordsIn);
}

async function runAndCheck(parallelism: number, outputTopic: string): Promise<RunningJob> {
  const expected = expectedAnomalies(readings);
  assert.ok(expected.length >= 6 && bySensor(expected).size >= 4, 'the data should make a meaningful test');
  const job = await runJobFile({
    path: JOB,
    flags: { 'output-topic': outputTopic, 'min-readings': String(MIN_READINGS) },
    parallelism,
    bootstrap: broker.bootstrap,
    embeddedBroker: { dataDir },
    logger: silent,
  });
  try {
    const detect = (o: string) => o === 'detect anomalies';
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    await waitFor(
      job,
      'every reading to be processed',
      () => sum(recordsIn(job, detect)) === readings.length,
    );
    const rows: Anomaly[] = [];
    await consumeValues(
      {
        bootstrap: broker.bootstrap,
        topic: outputTopic,
        fromBeginning: true,
        maxMessages: expected.length,
        timeoutMs: 20_000,
      },
      (v) => {
        rows.push(JSON.parse(v ?? 'null') as Anomaly);
      },
    );
    assertSameAnomalies(rows, expected);
    // Every reading was processed and the sink got exactly the expected anomalies: nothing more comes.
    assert.deepEqual(recordsIn(job, (o) => o.startsWith('Sink')).length, parallelism);
    assert.equal(sum(recordsIn(job, (o) => o.startsWith('Sink'))), expected.length);
    return job;
  } finally {
    await job.cancel();
    await job.done.catch(() => undefined);
  }
}

test('end to end: the anomalies topic holds exactly the expected anomalies', {
  timeout: 30_000,
}, async () => {
  await runAndCheck(1, 'anomalies');
});

test('end to end at parallelism 2: state stays per sensor whichever subtask has it', {
  timeout: 30_000,
}, async () => {
  const job = await runAndCheck(2, 'anomalies-p2');
  const perSubtask = recordsIn(job, (o) => o === 'detect anomalies');
  assert.equal(perSubtask.length, 2);
  assert.ok(
    perSubtask.every((n) => n > 0),
    `both subtasks should have sensors: ${perSubtask}`,
  );
});
