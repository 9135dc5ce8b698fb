import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Partitioning } from '../plan/nodes.ts';
import { keyGroupOf, subtaskForKeyGroup } from '../state/key-groups.ts';
import { executeJob } from './execute.ts';
import { MemoryConnectors, type WrittenRecord } from './testing-support/memory-connectors.ts';
import { BROADCAST, GLOBAL, keyed, PlanBuilder, REBALANCE } from './testing-support/plan-builder.ts';

const VALUES = Array.from({ length: 30 }, (_, i) => i);

/** source (parallelism 1) → sink (parallelism p) over one edge; returns what each sink subtask wrote. */
async function runExchange(partitioning: Partitioning, parallelism: number): Promise<WrittenRecord[]> {
  const connectors = new MemoryConnectors();
  // Several chunks, so stateful partitioners (round robin) see more than one batch.
  const numbers = connectors.source('numbers', {
    chunks: [{ values: VALUES.slice(0, 10) }, { values: VALUES.slice(10, 20) }, { values: VALUES.slice(20) }],
  });
  const out = connectors.sink('out');
  const b = new PlanBuilder({ maxParallelism: 16 });
  const source = b.source('numbers', numbers.descriptor, { parallelism: 1 });
  b.sink('out', source, out.descriptor, { partitioning, parallelism });
  await executeJob(b.plan(), { connectors }).done;
  assert.equal(out.opened, parallelism);
  assert.equal(out.closed, parallelism);
  return out.records;
}

function bySubtask(records: readonly WrittenRecord[], parallelism: number): number[][] {
  const groups: number[][] = Array.from({ length: parallelism }, () => []);
  for (const record of records) groups[record.subtask].push(record.value as number);
  return groups.map((group) => group.sort((a, b) => a - b));
}

for (const parallelism of [1, 3]) {
  test(`rebalance at parallelism ${parallelism} delivers every record once, spread evenly`, async () => {
    const groups = bySubtask(await runExchange(REBALANCE, parallelism), parallelism);
    assert.deepEqual(
      groups.flat().sort((a, b) => a - b),
      VALUES,
    );
    for (const group of groups) assert.equal(group.length, VALUES.length / parallelism);
  });

  test(`broadcast at parallelism ${parallelism} delivers every record to every subtask`, async () => {
    const groups = bySubtask(await runExchange(BROADCAST, parallelism), parallelism);
    for (const group of groups) assert.deepEqual(group, VALUES);
  });

  test(`keyed at parallelism ${parallelism} sends all records of a key to the subtask owning its key group`, async () => {
    const key = (value: unknown): unknown => `k${(value as number) % 7}`;
    const records = await runExchange(keyed(key), parallelism);
    assert.equal(records.length, VALUES.length);
    for (const record of records) {
      const expected = subtaskForKeyGroup(keyGroupOf(key(record.value), 16), 16, parallelism);
      assert.equal(record.subtask, expected, `${record.value} went to subtask ${record.subtask}`);
    }
    if (parallelism === 3) {
      const used = new Set(records.map((record) => record.subtask));
      assert.ok(used.size > 1, 'seven keys all landed on one subtask');
    }
  });

  test(`global at parallelism ${parallelism} sends everything to subtask 0`, async () => {
    const groups = bySubtask(await runExchange(GLOBAL, parallelism), parallelism);
    assert.deepEqual(groups[0], VALUES);
    for (const group of groups.slice(1)) assert.deepEqual(group, []);
  });
}

test('forward between equal parallelisms keeps each record in its subtask index', async () => {
  const connectors = new MemoryConnectors();
  const tagged = connectors.source('tagged', {
    chunks: [0, 1, 2].map((split) => ({ split: `s${split}`, values: [split, split, split] })),
  });
  const out = connectors.sink('out');
  const b = new PlanBuilder({ parallelism: 3 });
  b.sink(
    'out',
    b.map('same', b.source('tagged', tagged.descriptor), (x) => x),
    out.descriptor,
  );

  const result = await executeJob(b.plan(), { connectors }).done;

  assert.equal(out.records.length, 9);
  for (const record of out.records) assert.equal(record.subtask, record.value);
  assert.equal(result.metrics.operators.filter((m) => m.name === 'same').length, 3);
});

test('a keyed exchange whose key selector throws fails the job naming the operator and element', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { chunks: [{ values: [1, 2, 3] }] });
  const out = connectors.sink('out');
  const b = new PlanBuilder();
  const key = (value: unknown): unknown => {
    if (value === 2) throw new Error('no key for two');
    return value;
  };
  b.sink('out', b.source('numbers', numbers.descriptor), out.descriptor, {
    partitioning: keyed(key),
    parallelism: 2,
  });

  await assert.rejects(executeJob(b.plan(), { connectors }).done, (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ENG_USER_FUNCTION_FAILED');
    assert.match(error.message, /"out \(key selector\)" failed on element 2: no key for two/);
    return true;
  });
  assert.equal(numbers.closed, 1);
  assert.equal(out.closed, 2);
});
