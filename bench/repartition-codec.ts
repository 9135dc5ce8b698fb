// `npm run bench -- repartition-codec`: the cost per record of the repartition topic record format
// (src/engine/repartition/repartition-records.ts) on one thread, for batches of 1,000 small objects:
//   encode    RepartitionEncoder.data: v8.serialize per element, key group key, headers
//   decode    decodeRepartitionRecords: header scan, v8.deserialize per element
//   json      JSON.stringify + JSON.parse of the same elements, for scale (no key, no headers)
//   v8-array  one v8.serialize + v8.deserialize of the whole array of 1,000 values: what a layout of one
//             Kafka record per batch would cost instead of one per element
// Also the bytes of a record as the producer would send them (key + value + headers), before Kafka's
// own record framing and batch compression. No broker, no network: this is the CPU the format adds.
// Notes: docs/internals/scale-out.md §5.

import { deserialize, serialize } from 'node:v8';
import { batchOf } from '../src/engine/batch.ts';
import {
  decodeRepartitionRecords,
  type FetchedRepartitionRecord,
  RepartitionEncoder,
} from '../src/engine/repartition/repartition-records.ts';
import { benchReport, opsPerSecond, printReport } from './lib/report.ts';

const BATCH = 1_000;
const MS = Number(process.env.BENCH_MS ?? 1_500);

const values = Array.from({ length: BATCH }, (_, i) => ({
  id: i,
  user: `user-${i % 50}`,
  page: i % 3 === 0 ? '/home' : '/cart',
  amount: (i * 37) % 1000,
}));
const timestamps = Array.from({ length: BATCH }, (_, i) => 1_700_000_000_000 + i);
const keyGroups = Array.from({ length: BATCH }, (_, i) => (i * 7) % 128);
const batch = batchOf(values, timestamps);
const encoder = new RepartitionEncoder(3, 'bench-repartition-0');

const encoded = encoder.data(batch, keyGroups);
const fetched: FetchedRepartitionRecord[] = encoded.map((record, i) => ({
  ...record,
  offset: BigInt(i),
  timestamp: record.timestamp ?? 0,
}));

let sink = 0;
const encodeBatches = opsPerSecond(() => {
  sink += encoder.data(batch, keyGroups).length;
}, MS);
const decodeBatches = opsPerSecond(() => {
  sink += decodeRepartitionRecords(fetched, { topic: 'bench-repartition-0', partition: 0 }).batch.values
    .length;
}, MS);
const json = values.map((value) => JSON.stringify(value));
const jsonBatches = opsPerSecond(() => {
  for (let i = 0; i < BATCH; i++) sink += JSON.stringify(values[i]).length;
  for (let i = 0; i < BATCH; i++) sink += (JSON.parse(json[i]) as { id: number }).id;
}, MS);
const arrayBytes = serialize(values);
const v8ArrayBatches = opsPerSecond(() => {
  sink += serialize(values).length;
  sink += (deserialize(arrayBytes) as unknown[]).length;
}, MS);

const nsPerRecord = (batchesPerSec: number): number => Math.round(1e9 / (batchesPerSec * BATCH));
const encodeNs = nsPerRecord(encodeBatches);
const decodeNs = nsPerRecord(decodeBatches);
const jsonNs = nsPerRecord(jsonBatches);
const v8ArrayNs = nsPerRecord(v8ArrayBatches);
const first = encoded[0];
const headerBytes = first.headers.reduce((sum, [key, value]) => sum + key.length + value.length, 0);
const recordBytes = first.key.length + (first.value?.length ?? 0) + headerBytes;
const jsonBytes = Buffer.byteLength(json[0]);

printReport(
  benchReport('repartition-codec', {
    batch: BATCH,
    encodeNsPerRecord: encodeNs,
    decodeNsPerRecord: decodeNs,
    roundTripNsPerRecord: encodeNs + decodeNs,
    roundTripRecordsPerSec: Math.round(1e9 / (encodeNs + decodeNs)),
    jsonRoundTripNsPerRecord: jsonNs,
    v8ArrayRoundTripNsPerRecord: v8ArrayNs,
    valueBytes: first.value?.length ?? 0,
    jsonValueBytes: jsonBytes,
    headerBytes,
    recordBytes,
    checksum: sink % 7,
  }),
  `repartition-codec: encode ${encodeNs} ns + decode ${decodeNs} ns per record ` +
    `(JSON round trip ${jsonNs} ns, one v8 array ${v8ArrayNs} ns); ${recordBytes} bytes per record, value ${first.value?.length} ` +
    `(JSON ${jsonBytes})`,
);
