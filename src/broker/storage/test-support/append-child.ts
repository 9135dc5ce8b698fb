// Child process for the kill -9 test: appends batches to a log in fsync mode forever, several in flight,
// and prints "<seed> <baseOffset> <lastOffset>" for each append once its promise resolved (acknowledged).
// Usage: node append-child.ts <dir> <segmentBytes>

import { DEFAULT_LOG_CONFIG } from '../log-config.ts';
import { PartitionLog } from '../partition-log.ts';
import { crc32c, makeBatch, payloadFor } from './batches.ts';

const [dir, segmentBytes] = process.argv.slice(2);
const log = await PartitionLog.open(dir, {
  config: { ...DEFAULT_LOG_CONFIG, durability: 'fsync', segmentBytes: Number(segmentBytes), retentionMs: -1 },
  crc32c,
});
process.stdout.write(`ready ${log.logEndOffset}\n`);

let seed = Number(process.env.SEED_START ?? 0);
async function writer(): Promise<void> {
  for (;;) {
    const mine = seed++;
    const result = await log.append(makeBatch({ count: 1 + (mine % 3), payload: payloadFor(mine) }));
    process.stdout.write(`${mine} ${result.baseOffset} ${result.lastOffset}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, () => writer()));
