// `eddy demo` as a user runs it, in a child process: it ends by itself after --duration, exit 0, having
// printed window blocks and the closing summary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageLines, runEddy } from '../testing-support/eddy-child.ts';

const BLOCK = /^── window (\d\d:\d\d:\d\d)–(\d\d:\d\d:\d\d) UTC · \d+ page views ──$/;

test('eddy demo --duration 10s prints window blocks, then "demo ended", and exits 0', {
  timeout: 40_000,
}, async () => {
  // 30 simulated seconds per real second: a minute window closes every 2 s, so even a slow machine
  // shows a few before the 10 s are up.
  const result = await runEddy(['demo', '--duration', '10s', '--speed', '30'], { timeoutMs: 35_000 });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(messageLines(result.stderr), []);
  const lines = result.stdout.split('\n');
  assert.match(
    lines[0] ?? '',
    /^eddy demo: broker on 127\.0\.0\.1:\d+; clicks at 200\/s, simulated time 30× real time/,
  );

  const windows = lines.filter((line) => BLOCK.test(line));
  assert.ok(windows.length >= 1, result.stdout);
  // Each window once, each one minute long.
  assert.equal(new Set(windows).size, windows.length);
  for (const header of windows) {
    const [, from = '', to = ''] = BLOCK.exec(header) ?? [];
    const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
    assert.equal((minutes(to) - minutes(from) + 1440) % 1440, 1, header);
  }

  const summary = lines.filter((line) => line !== '').at(-1) ?? '';
  const match = /^demo ended \(stopped\): (\d+) windows shown, (\d+) bad records sent to dead-letters$/.exec(
    summary,
  );
  assert.ok(match, `last line: ${summary}`);
  assert.equal(Number(match[1]), windows.length);
  // About 0.5 % of the generated records are malformed on purpose.
  assert.ok(Number(match[2]) >= 1);
});

test('eddy demo --duration with no time in it: usage error', async () => {
  const result = await runEddy(['demo', '--duration', 'a while']);
  assert.equal(result.code, 2);
  assert.deepEqual(messageLines(result.stderr), [
    'eddy: --duration needs a time like 30s or 2m, got "a while"',
  ]);
});
