// Reads a whole topic back with a real client (kcat, on librdkafka) for the chaos checks.
import { kcatOk } from '../compat/kcat/kcat.ts';
import type { ConsumedRecord } from './checker.ts';

interface KcatRecord {
  partition: number;
  offset: number;
  payload: string | null;
}

/**
 * Every record of `topic` from the beginning to the current end, as kcat -C -e -J sees it. With
 * `readCommitted`, librdkafka drops aborted transactions and stops at the last stable offset.
 *
 * @example const consumed = await readTopic('127.0.0.1:9092', 'orders');
 */
export async function readTopic(
  bootstrap: string,
  topic: string,
  options: { readCommitted?: boolean } = {},
): Promise<ConsumedRecord[]> {
  const out = await kcatOk(
    [
      '-b',
      bootstrap,
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-J',
      '-q',
      '-X',
      `isolation.level=${options.readCommitted ? 'read_committed' : 'read_uncommitted'}`,
    ],
    '',
    60_000,
  );
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KcatRecord)
    .map((r) => ({ partition: r.partition, offset: r.offset, value: r.payload ?? '<null>' }));
}
