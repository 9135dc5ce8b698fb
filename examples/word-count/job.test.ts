// The word count example as a user runs it: `eddy run` over a folder of text files, once bounded (the
// open processing-time window fires at the end of input) and once watching for new files.
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { messageLines, runEddy, startEddy } from '../../src/cli/testing-support/eddy-child.ts';
import { type WordCount, words } from './job.ts';

const JOB = join(import.meta.dirname, 'job.ts');
const HOUR = 3_600_000;

const TEXTS: Record<string, string> = {
  'a.txt': 'The quick brown fox\njumps over the lazy dog.\n\nTHE END?\n',
  'b.txt': "It's the fox's den, isn't it? It's 2 o'clock\r\nCafé, café, CAFÉ!",
  'c.md': '# Notes\n- fox\n- dog -- dog\n',
};

/** The counts the job should print, computed here without the job's code. */
function countWords(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of text.toLowerCase().split(/[^\p{L}\p{N}']+/u)) {
      if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-word-count-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** At parallelism 2 (two worker threads, words keyed across them), whatever the machine's cores. */
function runArgs(dataDir: string, inputDir: string, ...jobFlags: string[]): string[] {
  return [
    'run',
    '--parallelism',
    '2',
    '--data-dir',
    dataDir,
    '--port',
    '0',
    JOB,
    '--',
    '--input-dir',
    inputDir,
    ...jobFlags,
  ];
}

/** A printed line at parallelism 2 is `<subtask>> <json>`, as Flink's print() writes it. */
function row(line: string): WordCount {
  const match = /^[12]> (.*)$/.exec(line);
  assert.ok(match, `a print line with its subtask prefix: ${line}`);
  return JSON.parse(match[1]) as WordCount;
}

test('words: lower-cased runs of letters, digits and apostrophes', () => {
  assert.deepEqual(words("It's 2 o'clock, CAFÉ-crème!"), ["it's", '2', "o'clock", 'café', 'crème']);
  assert.deepEqual(words(' -- '), []);
});

test('bounded run: the one open window fires at the end of input, one line per word', async () => {
  const input = await folderWith(TEXTS);
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-word-count-broker-'));
  try {
    const startedAt = Date.now();
    const result = await runEddy(runArgs(dataDir, input, '--window', '1h'));
    const endedAt = Date.now();
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(messageLines(result.stderr), []);
    const rows = result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map(row);
    const printed = new Map<string, number>();
    for (const row of rows) printed.set(row.word, (printed.get(row.word) ?? 0) + row.count);
    assert.deepEqual(
      new Map([...printed].sort(([a], [b]) => a.localeCompare(b))),
      new Map([...countWords(Object.values(TEXTS))].sort(([a], [b]) => a.localeCompare(b))),
    );
    // Only a run that straddles the top of an hour may see two windows, and so two lines for a word.
    if (Math.floor(startedAt / HOUR) === Math.floor(endedAt / HOUR)) assert.equal(rows.length, printed.size);
  } finally {
    await rm(input, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('--watch: a file added while running is counted; SIGINT stops the job and exits 0', async () => {
  const input = await folderWith({ 'first.txt': 'alpha beta\n' });
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-word-count-broker-'));
  const eddy = startEddy(runArgs(dataDir, input, '--window', '1s', '--watch'));
  const wordIs = (word: string) => (line: string) => row(line).word === word;
  try {
    await eddy.waitForLine(wordIs('alpha'));
    // Written under a hidden name (the source skips those) and renamed, so it appears complete.
    await writeFile(join(input, '.second.txt'), 'gamma delta\n');
    await rename(join(input, '.second.txt'), join(input, 'second.txt'));
    assert.deepEqual(row(await eddy.waitForLine(wordIs('gamma'))), { word: 'gamma', count: 1 });
    assert.deepEqual(row(await eddy.waitForLine(wordIs('delta'))), { word: 'delta', count: 1 });
    eddy.kill('SIGINT');
    const result = await eddy.exit();
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(messageLines(result.stderr), []);
    const seen = result.stdout.trim().split('\n').map(row);
    assert.deepEqual(new Set(seen.map((row) => row.word)), new Set(['alpha', 'beta', 'gamma', 'delta']));
  } finally {
    if (eddy.running) eddy.kill('SIGKILL');
    await rm(input, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a malformed --window is a usage error (exit 2), not a silent default', async () => {
  const input = await folderWith({ 'a.txt': 'x\n' });
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-word-count-broker-'));
  try {
    const result = await runEddy(runArgs(dataDir, input, '--window', 'soon'));
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.deepEqual(messageLines(result.stderr), [
      'eddy: --window needs a duration like 10s or 1m, got "soon"',
    ]);
  } finally {
    await rm(input, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
});
