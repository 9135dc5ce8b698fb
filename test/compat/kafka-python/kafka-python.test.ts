// kafka-python (Debian's 2.0.2) against the broker: the documented producer run unchanged, every codec
// this kafka-python can use, and a group-less KafkaConsumer (assign + seek) reading everything back.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test as nodeTest } from 'node:test';
import { decodeRecordBatches } from '../../../src/protocol/record-batch/index.ts';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { assertLongValuesCompressed } from '../support/stored.ts';

const HERE = import.meta.dirname;

/** The first interpreter that can import kafka, or null. */
function findPython(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(candidate, ['-c', 'import kafka'], { stdio: 'ignore', timeout: 10_000 });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return null;
}

const python = findPython();
const skip = python === null ? 'kafka-python is not installed (Debian package "python3-kafka")' : false;
const test = (name: string, fn: () => Promise<void>) => nodeTest(name, { skip, timeout: 60_000 }, fn);

let broker: TestBroker;

before(async () => {
  if (python === null) return;
  broker = await startTestBroker({ host: 'localhost' });
});
after(async () => {
  await broker?.stop();
});

function run(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python as string, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`python ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

interface Consumed {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: [string, string][];
}

async function consume(topic: string, count: number): Promise<Consumed[]> {
  const out = await run([join(HERE, 'consume.py')], {
    EDDY_BOOTSTRAP: `127.0.0.1:${broker.port}`,
    EDDY_TOPIC: topic,
    EDDY_COUNT: String(count),
  });
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Consumed);
}

test('the documented KafkaProducer example works unchanged (only the port differs)', async () => {
  const script = readFileSync(join(HERE, 'user-events-producer.py'), 'utf8');
  assert.ok(script.includes("'localhost:9092'"));
  await run(['-c', script.replace("'localhost:9092'", `'localhost:${broker.port}'`)]);
  const log = broker.state.topics.partition('user-events', 0);
  assert.ok(log !== undefined, 'the topic was auto-created');
  const { records } = await log.read(0, 1 << 20);
  const values = decodeRecordBatches(records).flatMap((b) =>
    b.records.map((r) => JSON.parse(r.value?.toString() ?? 'null')),
  );
  assert.deepEqual(values, [{ user_id: 'u123', action: 'click', timestamp: 1681721820 }]);
});

test('every codec kafka-python can use round-trips keys, headers and null values', async () => {
  const codecs = JSON.parse(await run([join(HERE, 'codecs.py')])) as string[];
  const ids: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
  for (const codec of codecs) {
    const topic = `kp-${codec}`;
    const value = `${codec}-`.repeat(200);
    const offsets = JSON.parse(
      await run([join(HERE, 'produce.py')], {
        EDDY_BOOTSTRAP: `127.0.0.1:${broker.port}`,
        EDDY_TOPIC: topic,
        EDDY_CODEC: codec,
        EDDY_VALUE: value,
      }),
    ) as number[];
    assert.deepEqual(offsets, [0, 1, 2], codec);
    // kafka-python sends a batch uncompressed when compressing would not shrink it: with no linger, the
    // null value may travel alone.
    await assertLongValuesCompressed(broker, topic, ids[codec], value.length);
    assert.deepEqual(await consume(topic, 3), [
      { partition: 0, offset: 0, key: 'k1', value, headers: [['h1', 'a']] },
      { partition: 0, offset: 1, key: 'k2', value: null, headers: [['h1', 'b']] },
      { partition: 0, offset: 2, key: 'k3', value: `${value}!`, headers: [] },
    ]);
  }
});
