// Child process for the meta-store kill -9 test: puts keys `<prefix><seed % 50>` = { seed } forever with
// several writers in flight (fsync mode, frequent compaction) and prints each acknowledged seed.
// Usage: node meta-child.ts <dir> <prefix> <seedStart>

import { MetaStore } from '../meta-store.ts';

const [dir, prefix, seedStart] = process.argv.slice(2);
const store = await MetaStore.open<{ seed: number; pad: string }>(dir, 'offsets', { compactAfter: 150 });
let seed = Number(seedStart);
async function writer(): Promise<void> {
  for (;;) {
    const mine = seed++;
    if (mine % 17 === 0) await store.delete(`${prefix}${mine % 50}`);
    else await store.put(`${prefix}${mine % 50}`, { seed: mine, pad: 'x'.repeat(mine % 100) });
    process.stdout.write(`${mine}\n`);
  }
}
await Promise.all(Array.from({ length: 6 }, () => writer()));
