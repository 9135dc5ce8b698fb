import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { batch, sinkContext } from '../shared/testing.ts';
import { PrintWriter, printSink } from './print-sink.ts';

/** A real stream that keeps what is written to it. */
function captured(): { out: Writable; text: () => string } {
  const parts: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      parts.push(chunk.toString());
      done();
    },
  });
  return { out, text: () => parts.join('') };
}

test('strings print as they are, other values as JSON, one per line', async () => {
  const { out, text } = captured();
  const writer = new PrintWriter({}, out);
  await writer.open(sinkContext());
  await writer.write(batch(['hello', { a: 1 }, [1, 2], 3, null, 10n]));
  await writer.close();
  assert.equal(text(), 'hello\n{"a":1}\n[1,2]\n3\nnull\n10\n');
});

test('prefix and subtask numbers as Flink prints them', async () => {
  const cases = [
    { prefix: undefined, parallelism: 1, expected: 'x\n' },
    { prefix: 'out', parallelism: 1, expected: 'out> x\n' },
    { prefix: undefined, parallelism: 4, expected: '3> x\n' },
    { prefix: 'out', parallelism: 4, expected: 'out:3> x\n' },
  ];
  for (const c of cases) {
    const { out, text } = captured();
    const writer = new PrintWriter({ prefix: c.prefix }, out);
    await writer.open(sinkContext({ subtaskIndex: 2, parallelism: c.parallelism }));
    await writer.write(batch(['x']));
    assert.equal(text(), c.expected);
  }
});

test('the builder rejects an unknown target', () => {
  assert.deepEqual(printSink({ target: 'stderr' }), { connector: 'print', config: { target: 'stderr' } });
  assert.throws(
    () => printSink({ target: 'stdlog' as 'stdout' }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') &&
      /"target": expected one of "stdout"\|"stderr"/.test(e.message),
  );
});
