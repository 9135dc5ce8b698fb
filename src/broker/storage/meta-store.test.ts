import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { crc32 } from 'node:zlib';
import { MetaStore } from './meta-store.ts';
import { tempDir } from './test-support/batches.ts';

const dirs: Array<() => Promise<void>> = [];
after(() => Promise.all(dirs.map((cleanup) => cleanup())));
async function freshDir(): Promise<string> {
  const { dir, cleanup } = await tempDir('eddy-meta-');
  dirs.push(cleanup);
  return dir;
}

test('put, delete and update survive a reopen', async () => {
  const dir = await freshDir();
  const store = await MetaStore.open<{ offset: number; metadata: string | null }>(dir, 'offsets');
  await store.put('g/orders/0', { offset: 10, metadata: 'héllo' });
  await store.put('g/orders/1', { offset: 20, metadata: null });
  await store.put('g/orders/0', { offset: 11, metadata: 'again' });
  await store.delete('g/orders/1');
  await store.update([
    { key: 'g/orders/2', value: { offset: 5, metadata: null } },
    { key: 'g/orders/0', delete: true },
  ]);
  assert.deepEqual([...store.entries()], [['g/orders/2', { offset: 5, metadata: null }]]);
  await store.close();
  const reopened = await MetaStore.open<{ offset: number }>(dir, 'offsets');
  assert.deepEqual([...reopened.entries()], [['g/orders/2', { offset: 5, metadata: null }]]);
  assert.equal(reopened.get('g/orders/0'), undefined);
  await reopened.close();
});

test('compaction folds the journal into a snapshot and keeps the state', async () => {
  const dir = await freshDir();
  const store = await MetaStore.open<number>(dir, 'groups', { durability: 'os', compactAfter: 50 });
  for (let i = 0; i < 500; i++) await store.put(`k${i % 10}`, i);
  await store.delete('k3');
  await store.close();
  assert.ok((await stat(join(dir, 'groups.journal'))).size < 2000, 'journal was truncated by compaction');
  assert.ok((await stat(join(dir, 'groups.snapshot'))).size > 0);
  const reopened = await MetaStore.open<number>(dir, 'groups');
  assert.equal(reopened.size, 9);
  assert.equal(reopened.get('k9'), 499);
  assert.equal(reopened.get('k3'), undefined);
  await reopened.close();
});

test('a torn last line is ignored and overwritten; a damaged line ends the journal there', async () => {
  const dir = await freshDir();
  const store = await MetaStore.open<string>(dir, 's');
  await store.put('a', '1');
  await store.put('b', '2');
  await store.close();
  const journal = join(dir, 's.journal');
  // A torn line followed by a whole one (pages written back out of order): both must go.
  const whole = `${crc32('[["c","3"]]').toString(16).padStart(8, '0')} [["c","3"]]\n`;
  await appendFile(journal, `1234abcd [["c","3"]\n${whole}`);
  const torn = await MetaStore.open<string>(dir, 's');
  assert.deepEqual(
    [...torn.entries()],
    [
      ['a', '1'],
      ['b', '2'],
    ],
  );
  await torn.put('d', '4');
  await torn.close();
  const bytes = await readFile(journal, 'utf8');
  assert.doesNotMatch(bytes, /"c"/, 'the damaged tail was cut before new lines were written');
  const lines = bytes.split('\n');
  lines[1] = lines[1].replace('"2"', '"9"'); // CRC no longer matches
  await writeFile(journal, lines.join('\n'));
  const damaged = await MetaStore.open<string>(dir, 's');
  assert.deepEqual([...damaged.entries()], [['a', '1']]);
  await damaged.close();
});

test('every acknowledged write survives kill -9, including during compaction', async () => {
  const dir = await freshDir();
  const child = join(import.meta.dirname, 'test-support', 'meta-child.ts');
  for (const [round, prefix] of ['a', 'b'].entries()) {
    const proc = spawn(process.execPath, [child, dir, prefix, String(round * 1_000_000)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => proc.on('exit', (_c, signal) => resolve(signal)));
    const acked = new Map<number, number>(); // key index -> largest acked seed
    let count = 0;
    const target = 300 + Math.floor(Math.random() * 500);
    for await (const line of createInterface({ input: proc.stdout })) {
      if (!/^\d+$/.test(line)) continue;
      const seed = Number(line);
      acked.set(seed % 50, Math.max(acked.get(seed % 50) ?? -1, seed));
      if (++count === target) setTimeout(() => proc.kill('SIGKILL'), Math.floor(Math.random() * 50));
    }
    assert.equal(await exited, 'SIGKILL');
    const store = await MetaStore.open<{ seed: number; pad: string }>(dir, 'offsets');
    // Seeds are called in order with at most 6 in flight, so none above maxAcked + 6 was ever called.
    const maxCalled = Math.max(...acked.values()) + 6;
    for (const [key, seed] of acked) {
      const value = store.get(`${prefix}${key}`);
      // Writes to one key are journaled in call order: what recovery shows must come from the last
      // acknowledged write to that key or a later one.
      if (value === undefined) {
        const deletes = laterSeeds(seed, maxCalled, key).filter((s) => s % 17 === 0);
        assert.ok(seed % 17 === 0 || deletes.length > 0, `key ${key} lost (last acked write ${seed})`);
      } else {
        assert.ok(value.seed >= seed, `key ${key}: ${value.seed} < acked ${seed}`);
        assert.equal(value.seed % 50, key);
        assert.equal(value.pad, 'x'.repeat(value.seed % 100));
      }
    }
    await store.put('after-crash', { seed: round, pad: '' });
    await store.close();
  }
});

/** Seeds in (seed, max] that write the same key. */
function laterSeeds(seed: number, max: number, key: number): number[] {
  const out: number[] = [];
  for (let s = seed + 1; s <= max; s++) if (s % 50 === key) out.push(s);
  return out;
}
