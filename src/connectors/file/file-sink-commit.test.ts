import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SinkContext } from '../../engine/sink.ts';
import { batch, drain, sinkContext, sourceContext } from '../shared/testing.ts';
import { FileSinkWriter } from './file-sink.ts';
import { FileSourceReader } from './file-source.ts';

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-file-commit-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const checkpointed = (overrides: Partial<SinkContext> = {}) =>
  sinkContext({ checkpointing: { interval: 1_000, timeout: 1_000, mode: 'exactly-once' }, ...overrides });

const list = async (path: string) => (await readdir(path)).sort();

async function visible(path: string): Promise<unknown[]> {
  const reader = new FileSourceReader({ path, format: 'jsonl' });
  await reader.open(sourceContext());
  return (await drain(reader)).values;
}

test('parts go in-progress → pending at the barrier → committed when the checkpoint commits', async () => {
  const path = join(root, 'lifecycle');
  const writer = new FileSinkWriter({ path, format: 'jsonl', rolling: { maxBytes: 4 } });
  await writer.open(checkpointed());
  await writer.write(batch([1, 2])); // "1\n" and "2\n": two bytes each, one part
  assert.deepEqual(await list(path), ['.part-0-0.jsonl.inprogress']);
  await writer.write(batch([3])); // rolls: part 0 is finished (pending), part 1 in progress
  const prepared = await writer.prepareCommit(1);
  assert.deepEqual(prepared, {
    directory: path,
    files: ['.part-0-0.jsonl.pending', '.part-0-1.jsonl.pending'],
  });
  await writer.write(batch([4])); // after the barrier: checkpoint 2
  assert.deepEqual(await visible(path), [], 'nothing is visible before the commit');
  await writer.commit(1);
  await writer.commit(1); // again: harmless
  assert.deepEqual(await list(path), ['.part-0-2.jsonl.inprogress', 'part-0-0.jsonl', 'part-0-1.jsonl']);
  assert.deepEqual(await visible(path), [1, 2, 3]);
  await writer.flush(); // end of input commits the rest
  await writer.close();
  assert.deepEqual(await visible(path), [1, 2, 3, 4]);
  assert.equal(await readFile(join(path, 'part-0-2.jsonl'), 'utf8'), '4\n');
});

test('after a crash, open() commits the restored checkpoint and deletes unfinished parts', async () => {
  const path = join(root, 'crash');
  const before = new FileSinkWriter({ path, format: 'jsonl' });
  await before.open(checkpointed());
  await before.write(batch(['c1']));
  await before.prepareCommit(1);
  await before.commit(1);
  await before.write(batch(['c2']));
  const prepared2 = await before.prepareCommit(2); // checkpoint 2 is durable, then the process dies
  await before.write(batch(['c3']));
  await before.prepareCommit(3); // checkpoint 3 never completes
  await before.write(batch(['lost']));
  await before.close(); // leaves its files as a crash would
  assert.deepEqual(await list(path), [
    '.part-0-1.jsonl.pending',
    '.part-0-2.jsonl.pending',
    '.part-0-3.jsonl.inprogress',
    'part-0-0.jsonl',
  ]);

  const restored = new FileSinkWriter({ path, format: 'jsonl' });
  restored.recover([prepared2], 2);
  await restored.open(checkpointed());
  assert.deepEqual(await list(path), ['part-0-0.jsonl', 'part-0-1.jsonl']);
  assert.deepEqual(await visible(path), ['c1', 'c2']);
  await restored.write(batch(['c3 again']));
  await restored.flush();
  await restored.close();
  assert.deepEqual(await visible(path), ['c1', 'c2', 'c3 again']);
});

test('a rescaled job commits parts of subtasks that are gone and subtask 0 cleans theirs', async () => {
  const path = join(root, 'rescale');
  const prepared: unknown[] = [];
  for (const subtaskIndex of [0, 1, 2]) {
    const writer = new FileSinkWriter({ path, format: 'jsonl' });
    await writer.open(checkpointed({ subtaskIndex, parallelism: 3 }));
    await writer.write(batch([`s${subtaskIndex}`]));
    prepared.push(await writer.prepareCommit(5));
    await writer.write(batch([`s${subtaskIndex} later`]));
    await writer.close();
  }
  const writer = new FileSinkWriter({ path, format: 'jsonl' });
  writer.recover(prepared, 5);
  await writer.open(checkpointed({ subtaskIndex: 0, parallelism: 1 }));
  await writer.close();
  assert.deepEqual(await list(path), ['part-0-0.jsonl', 'part-1-0.jsonl', 'part-2-0.jsonl']);
});

test('without checkpointing parts are written under their names, as before', async () => {
  const path = join(root, 'plain');
  const writer = new FileSinkWriter({ path, format: 'jsonl' });
  await writer.open(sinkContext());
  await writer.write(batch([1]));
  assert.deepEqual(await list(path), ['part-0-0.jsonl']);
  await writer.close();
});
