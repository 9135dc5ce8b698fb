// Encode/decode speed of the varints used by every record inside a RecordBatch.
import { readVarint, readVarlong, writeVarint, writeVarlong } from '../src/protocol/varint.ts';
import { benchReport, opsPerSecond, printReport } from './lib/report.ts';

const buf = new Uint8Array(16);
const values = Array.from({ length: 1024 }, (_, i) => (i * 2654435761) | 0);
let i = 0;
let sink = 0;

const varintWrite = opsPerSecond(() => {
  writeVarint(buf, 0, values[i++ & 1023]);
});
writeVarint(buf, 0, -123456);
const varintRead = opsPerSecond(() => {
  sink += readVarint(buf, 0)[0];
});
const varlongWrite = opsPerSecond(() => {
  writeVarlong(buf, 0, BigInt(values[i++ & 1023]) * 1000n);
});
writeVarlong(buf, 0, 1_700_000_000_000n);
const varlongRead = opsPerSecond(() => {
  sink += Number(readVarlong(buf, 0)[0] & 1n);
});

const report = benchReport('varint', {
  varintWritePerSec: Math.round(varintWrite),
  varintReadPerSec: Math.round(varintRead),
  varlongWritePerSec: Math.round(varlongWrite),
  varlongReadPerSec: Math.round(varlongRead),
  checksum: sink % 7,
});
printReport(
  report,
  `varint: write ${(varintWrite / 1e6).toFixed(1)} M/s, read ${(varintRead / 1e6).toFixed(1)} M/s; ` +
    `varlong: write ${(varlongWrite / 1e6).toFixed(1)} M/s, read ${(varlongRead / 1e6).toFixed(1)} M/s`,
);
