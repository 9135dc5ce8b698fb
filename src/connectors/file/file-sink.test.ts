import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { ManualClock } from '../../common/time.ts';
import { batch, drain, sinkContext, sourceContext } from '../shared/testing.ts';
import { FileSinkWriter, fileSink } from './file-sink.ts';
import { FileSourceReader } from './file-source.ts';

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-file-sink-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('jsonl part files roll by size and read back in order', async () => {
  const path = join(root, 'rolled');
  const writer = new FileSinkWriter({ path, format: 'jsonl', rolling: { maxBytes: 30 } });
  await writer.open(sinkContext({ subtaskIndex: 2 }));
  const values = Array.from({ length: 6 }, (_, i) => ({ n: i, pad: 'xxxx' })); // 21 bytes per line
  await writer.write(batch(values.slice(0, 4)));
  await writer.write(batch(values.slice(4)));
  await writer.close();
  const names = (await readdir(path)).sort();
  assert.deepEqual(names, [
    'part-2-0.jsonl',
    'part-2-1.jsonl',
    'part-2-2.jsonl',
    'part-2-3.jsonl',
    'part-2-4.jsonl',
    'part-2-5.jsonl',
  ]);
  const reader = new FileSourceReader({ path, format: 'jsonl' });
  await reader.open(sourceContext());
  assert.deepEqual((await drain(reader)).values, values);
});

test('a line bigger than maxBytes still gets written, alone in its part', async () => {
  const path = join(root, 'big');
  const writer = new FileSinkWriter({ path, format: 'jsonl', rolling: { maxBytes: 5 } });
  await writer.open(sinkContext());
  await writer.write(batch(['a long string value']));
  await writer.close();
  assert.equal(await readFile(join(path, 'part-0-0.jsonl'), 'utf8'), '"a long string value"\n');
});

test('parts roll by time (job clock) and numbering continues after existing parts', async () => {
  const path = join(root, 'timed');
  const clock = new ManualClock(0);
  await rm(path, { recursive: true, force: true });
  const first = new FileSinkWriter(
    { path, format: 'jsonl', prefix: 'out', rolling: { interval: 1_000 } },
    clock,
  );
  await first.open(sinkContext());
  await first.write(batch([1, 2]));
  clock.advance(999);
  await first.write(batch([3]));
  clock.advance(1);
  await first.write(batch([4]));
  await first.close();
  const second = new FileSinkWriter({ path, format: 'jsonl', prefix: 'out' }, clock);
  await second.open(sinkContext());
  await second.write(batch([5]));
  await second.close();
  assert.deepEqual((await readdir(path)).sort(), ['out-0-0.jsonl', 'out-0-1.jsonl', 'out-0-2.jsonl']);
  assert.equal(await readFile(join(path, 'out-0-0.jsonl'), 'utf8'), '1\n2\n3\n');
  assert.equal(await readFile(join(path, 'out-0-2.jsonl'), 'utf8'), '5\n');
});

test('csv takes its columns from the first object and repeats the header in every part', async () => {
  const path = join(root, 'csv');
  const writer = new FileSinkWriter({ path, format: 'csv', rolling: { maxBytes: 32 } });
  await writer.open(sinkContext());
  await writer.write(
    batch([
      { id: 1, note: 'plain' },
      { id: 2, note: 'has, comma', ignored: true },
      { id: 3, note: null },
    ]),
  );
  await writer.close();
  assert.equal(await readFile(join(path, 'part-0-0.csv'), 'utf8'), 'id,note\n1,plain\n2,"has, comma"\n');
  assert.equal(await readFile(join(path, 'part-0-1.csv'), 'utf8'), 'id,note\n3,\n');
  const reader = new FileSourceReader({ path, format: 'csv' });
  await reader.open(sourceContext());
  assert.deepEqual((await drain(reader)).values, [
    { id: '1', note: 'plain' },
    { id: '2', note: 'has, comma' },
    { id: '3', note: '' },
  ]);
});

test('values a format cannot hold fail with CON_RECORD_UNWRITABLE', async () => {
  const csv = new FileSinkWriter({ path: join(root, 'bad-csv'), format: 'csv' });
  await csv.open(sinkContext());
  await assert.rejects(csv.write(batch(['just a string'])), (e) => isStreamError(e, 'CON_RECORD_UNWRITABLE'));
  await csv.close();
  const json = new FileSinkWriter({ path: join(root, 'bad-json'), format: 'jsonl' });
  await json.open(sinkContext());
  await assert.rejects(
    json.write(batch([{ big: 10n }])),
    (e) => isStreamError(e, 'CON_RECORD_UNWRITABLE') && /file sink cannot write/.test(e.message),
  );
  await json.close();
});

test('a path that cannot be a directory fails with CON_FILE_WRITE_FAILED', async () => {
  const file = join(root, 'a-file');
  await writeFile(file, 'x');
  const writer = new FileSinkWriter({ path: join(file, 'sub'), format: 'jsonl' });
  await assert.rejects(
    writer.open(sinkContext()),
    (e) => isStreamError(e, 'CON_FILE_WRITE_FAILED') && e.domain === 'external',
  );
  await writer.close();
});

test('the builder rejects a prefix with a path separator', () => {
  assert.deepEqual(fileSink({ path: '/out', format: 'jsonl' }), {
    connector: 'file',
    config: { path: '/out', format: 'jsonl' },
  });
  assert.throws(
    () => fileSink({ path: '/out', format: 'jsonl', prefix: 'a/b' }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') && /"prefix": must not contain a path separator/.test(e.message),
  );
});
