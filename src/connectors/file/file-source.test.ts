import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { ManualClock } from '../../common/time.ts';
import { drain, sourceContext } from '../shared/testing.ts';
import { FileSourceReader, fileSource } from './file-source.ts';

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-file-source-'));
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

test('lines of a single file, including empty lines and a last line without a newline', async () => {
  const path = join(await dir('single', { 'a.txt': 'one\r\n\nthree\nfour' }), 'a.txt');
  const reader = new FileSourceReader({ path, format: 'lines' });
  await reader.open(sourceContext({ batchSize: 2 }));
  const out = await drain(reader);
  assert.deepEqual(out.values, ['one', '', 'three', 'four']);
  assert.ok(out.chunks.every((c) => c.values.length <= 2 && c.split === path));
  assert.deepEqual(out.ended, [path]);
  await reader.close();
});

test('jsonl: bad lines become bad records with the original bytes and file/line origin', async () => {
  const path = await dir('jsonl', { 'events.jsonl': '{"a":1}\n{oops}\n\n{"a":2}\n' });
  const reader = new FileSourceReader({ path, format: 'jsonl' });
  await reader.open(sourceContext());
  const out = await drain(reader);
  assert.deepEqual(out.values, [{ a: 1 }, { a: 2 }]);
  assert.equal(out.bad.length, 1);
  const file = join(path, 'events.jsonl');
  assert.deepEqual(out.bad[0].origin, { file, line: 2 });
  assert.equal(Buffer.from(out.bad[0].value ?? []).toString(), '{oops}');
  assert.match(out.bad[0].error, /invalid JSON/);
});

test('csv with a header gives objects; quoted line breaks join lines; malformed rows are bad', async () => {
  const text = 'id,note\n1,plain\n2,"two\nlines"\n3,a,extra\n4,5\'11"\n5,"never closed\n';
  const path = await dir('csv', { 'rows.csv': text });
  const reader = new FileSourceReader({ path, format: 'csv' });
  await reader.open(sourceContext());
  const out = await drain(reader);
  assert.deepEqual(out.values, [
    { id: '1', note: 'plain' },
    { id: '2', note: 'two\nlines' },
  ]);
  assert.deepEqual(
    out.bad.map((b) => b.origin.line),
    [5, 6, 7],
  );
  assert.match(out.bad[0].error, /3 fields where the header has 2/);
  assert.equal(Buffer.from(out.bad[2].value ?? []).toString(), '5,"never closed');
});

test('csv without a header and with another delimiter gives string arrays', async () => {
  const path = await dir('csv-raw', { 'r.csv': 'a;b\n"c;d";e\n' });
  const reader = new FileSourceReader({ path, format: 'csv', csv: { header: false, delimiter: ';' } });
  await reader.open(sourceContext());
  assert.deepEqual((await drain(reader)).values, [
    ['a', 'b'],
    ['c;d', 'e'],
  ]);
});

test('the files of a directory are divided over subtasks by position; hidden files are skipped', async () => {
  const path = await dir('many', {
    'a.txt': 'a\n',
    'b.txt': 'b\n',
    'c.txt': 'c\n',
    '.hidden': 'h\n',
    _tmp: 't\n',
  });
  const perSubtask: unknown[][] = [];
  for (let i = 0; i < 2; i++) {
    const reader = new FileSourceReader({ path, format: 'lines' });
    await reader.open(sourceContext({ subtaskIndex: i, parallelism: 2 }));
    const out = await drain(reader);
    perSubtask.push(out.values);
    assert.equal(out.ended.length, out.values.length, 'every file split ends');
    await reader.close();
  }
  assert.deepEqual(perSubtask, [['a', 'c'], ['b']]);
});

test('watch mode picks up new files and appended complete lines at each interval', async () => {
  const path = await dir('watched', { 'first.txt': 'x1\npartial' });
  const clock = new ManualClock(0);
  const reader = new FileSourceReader({ path, format: 'lines', watch: { interval: 1_000 } });
  await reader.open(sourceContext({ clock }));
  try {
    let out = await drain(reader, { maxPolls: 3 });
    assert.deepEqual(out.values, ['x1'], 'the unfinished last line waits for its newline');
    assert.deepEqual(out.ended, []);

    await appendFile(join(path, 'first.txt'), ' line\nx2\n');
    await writeFile(join(path, 'second.txt'), 'y1\n');
    out = await drain(reader, { maxPolls: 3 });
    assert.deepEqual(out.values, [], 'nothing new before the interval has passed');

    clock.advance(1_000);
    out = await drain(reader, { maxPolls: 3 });
    assert.deepEqual(out.values.sort(), ['partial line', 'x2', 'y1']);
    assert.ok(out.chunks.some((c) => c.split === join(path, 'second.txt')));

    await rm(join(path, 'second.txt'));
    clock.advance(1_000);
    out = await drain(reader, { maxPolls: 2 });
    assert.deepEqual(out.ended, [join(path, 'second.txt')], 'a deleted file ends its split');
  } finally {
    await reader.close();
  }
});

test('a missing path fails open with CON_FILE_UNREADABLE naming it', async () => {
  const path = join(root, 'does-not-exist');
  const reader = new FileSourceReader({ path, format: 'lines' });
  await assert.rejects(
    reader.open(sourceContext()),
    (e) => isStreamError(e, 'CON_FILE_UNREADABLE') && e.message.includes(path) && e.domain === 'external',
  );
});

test('the builder is bounded unless watching, and rejects unknown formats and keys', () => {
  assert.equal(fileSource({ path: '/x', format: 'lines' }).bounded, true);
  assert.equal(fileSource({ path: '/x', format: 'lines', watch: { interval: 10 } }).bounded, false);
  assert.throws(
    () => fileSource({ path: '/x', format: 'json' as 'jsonl' }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') &&
      /"format": expected one of "lines"\|"jsonl"\|"csv"/.test(e.message),
  );
  assert.throws(
    () => fileSource({ path: '/x', format: 'csv', csv: { hedaer: true } as never }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') &&
      /unknown key "hedaer" in "csv" \(did you mean "header"\?\)/.test(e.message),
  );
});
