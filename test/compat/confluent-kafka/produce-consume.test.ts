// confluent-kafka-python (Debian's, on librdkafka 2.0.2) against eddy's broker: produce with keys,
// headers (null header values too) and null values in every codec librdkafka has, and read it all back.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { jsonLines, runOk } from '../support/child-process.ts';
import { findPython } from '../support/python.ts';
import { assertLongValuesCompressed, CODEC_IDS } from '../support/stored.ts';

const python = findPython('confluent_kafka');
const skip =
  python === null
    ? 'confluent-kafka is not installed (Debian package "python3-confluent-kafka"; .ci/install-debian.sh)'
    : false;
const HERE = import.meta.dirname;

let broker: TestBroker;

before(async () => {
  if (python !== null) broker = await startTestBroker();
});
after(async () => {
  await broker?.stop();
});

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`confluent-kafka ${codec}: keys, headers and null values round-trip`, {
    skip,
    timeout: 20_000,
  }, async () => {
    const topic = `ck-${codec}`;
    // Compressible, so librdkafka does not fall back to sending the batch uncompressed.
    const value = `${codec}-`.repeat(300);
    const env = { EDDY_BOOTSTRAP: broker.bootstrap, EDDY_TOPIC: topic };
    const offsets = await runOk(python as string, [join(HERE, 'produce.py')], {
      ...env,
      EDDY_CODEC: codec,
      EDDY_VALUE: value,
    });
    assert.deepEqual(JSON.parse(offsets), [0, 1, 2]);
    await assertLongValuesCompressed(broker, topic, CODEC_IDS[codec], value.length);

    const consumed = jsonLines(
      await runOk(python as string, [join(HERE, 'consume.py')], { ...env, EDDY_COUNT: '3' }),
    );
    // Timestamp type 1 = CreateTime, as librdkafka set it.
    assert.deepEqual(consumed, [
      {
        offset: 0,
        key: 'k1',
        value,
        headers: [
          ['h1', 'a'],
          ['h2', null],
        ],
        timestampType: 1,
      },
      { offset: 1, key: 'k2', value: null, headers: [['h1', 'b']], timestampType: 1 },
      { offset: 2, key: null, value: `${value}!`, headers: [], timestampType: 1 },
    ]);
  });
}
