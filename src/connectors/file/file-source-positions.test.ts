import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SplitPosition } from '../../engine/source.ts';
import { drain, sourceContext } from '../shared/testing.ts';
import { FileSourceReader } from './file-source.ts';

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-file-positions-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function dir(name: string, files: Record<string, string>): Promise<string> {
  const path = join(root, name);
  await mkdir(path, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(path, file), text);
  return path;
}

test('a csv position sits before a record still open and keeps the header', async () => {
  const path = await dir('csv', { 'rows.csv': 'id,note\n1,a\n2,"x\ny"\n3,c\n' });
  const file = join(path, 'rows.csv');
  const first = new FileSourceReader({ path, format: 'csv' });
  await first.open(sourceContext({ batchSize: 3 }));
  // header, "1,a" and the first line of record 2 are read; record 2 is not complete yet.
  assert.deepEqual((await first.poll(0))?.[0].values, [{ id: '1', note: 'a' }]);
  const positions = first.snapshotPositions();
  assert.deepEqual(positions, [
    { split: file, position: { kind: 'file', file, offset: 12, line: 2, columns: ['id', 'note'] } },
  ]);
  await first.close();

  const second = new FileSourceReader({ path, format: 'csv' });
  second.restorePositions(positions);
  await second.open(sourceContext());
  const rest = await drain(second);
  assert.deepEqual(rest.values, [
    { id: '2', note: 'x\ny' },
    { id: '3', note: 'c' },
  ]);
  assert.deepEqual(rest.bad, []);
  assert.deepEqual(second.snapshotPositions(), [
    { split: file, position: { kind: 'file', file, ended: true } },
  ]);
});

test('positions of 2 subtasks restore into 1: finished files are not read again', async () => {
  const path = await dir('many', { 'a.txt': 'a1\na2\n', 'b.txt': 'b1\nb2\nb3\n', 'c.txt': 'c1\nc2\n' });
  const positions: SplitPosition[] = [];
  const handed: unknown[] = [];
  for (const subtaskIndex of [0, 1]) {
    const reader = new FileSourceReader({ path, format: 'lines' });
    await reader.open(sourceContext({ subtaskIndex, parallelism: 2, batchSize: 2 }));
    // Subtask 0 reads a.txt to its end and starts c.txt; subtask 1 reads two lines of b.txt.
    const polls = subtaskIndex === 0 ? 3 : 1;
    handed.push(...(await drain(reader, { maxPolls: polls })).values);
    positions.push(...reader.snapshotPositions());
    await reader.close();
  }
  assert.deepEqual(handed, ['a1', 'a2', 'c1', 'c2', 'b1', 'b2']);
  const merged = new FileSourceReader({ path, format: 'lines' });
  merged.restorePositions(positions);
  await merged.open(sourceContext());
  const rest = await drain(merged);
  assert.deepEqual(rest.values, ['b3']);
});
