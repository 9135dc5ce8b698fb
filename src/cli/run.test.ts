// `eddy run` as a user meets it, in a child process: what a broken job file or flag prints and the exit
// code, a job failing at run time, the embedded broker serving the job's Kafka connectors, and signals.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type EddyExit, messageLines, runEddy, startEddy } from './testing-support/eddy-child.ts';

const EDDY = pathToFileURL(join(import.meta.dirname, '../index.ts')).href;
let dir: string;
let dataDir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-run-'));
  dataDir = join(dir, 'broker');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a job file into the temp folder; `body` may use everything `eddy` exports. */
async function jobFile(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `import * as eddy from '${EDDY}';\n${body}\n`);
  return path;
}

/** `eddy run` with the embedded broker on a free port and a data dir of the test's own. */
function run(job: string, ...rest: string[]): Promise<EddyExit> {
  return runEddy(['run', '--parallelism', '1', '--data-dir', dataDir, '--port', '0', job, ...rest]);
}

/** One readable line on stderr, starting `eddy: `, no stack trace, and nothing on stdout. */
function assertOneLineError(result: EddyExit, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '');
  const lines = messageLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', /^eddy: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
}

test('a job file that does not exist: usage error naming it', async () => {
  const missing = join(dir, 'nope.ts');
  assertOneLineError(await run(missing), 2, new RegExp(`job file ${missing} does not exist`));
});

test('a job file whose default export is not a function: usage error showing what to export', async () => {
  const path = await jobFile('not-a-function.ts', 'export default { name: "job" };');
  assertOneLineError(await run(path), 2, /must default-export a function.*defineJob/);
});

test('a job file that throws at import, or is not erasable TypeScript: usage error with the reason', async () => {
  const throws = await jobFile('throws.ts', 'throw new Error("no config for this environment");');
  assertOneLineError(await run(throws), 2, /could not be loaded: no config for this environment$/);
  const enumFile = await jobFile('enum.ts', 'enum Color { Red }\nexport default () => {};');
  assertOneLineError(await run(enumFile), 2, /enum\.ts could not be loaded: .*enum/i);
});

test('malformed job flags: usage error', async () => {
  const path = await jobFile('ok.ts', 'export default eddy.defineJob(() => {});');
  assertOneLineError(
    await run(path, '--', 'topic', 'clicks'),
    2,
    /job flags look like --name value; "topic"/,
  );
});

test('--parallelism 0: usage error', async () => {
  const path = await jobFile('ok.ts', 'export default eddy.defineJob(() => {});');
  assertOneLineError(
    await run('--parallelism', '0', path),
    2,
    /--parallelism needs a whole number of at least 1, got "0"/,
  );
});

test('an unknown connector id: one line with the closest id, exit 1', async () => {
  const path = await jobFile(
    'typo.ts',
    `export default eddy.defineJob((env) => {
       env.fromSource({ connector: 'kafak', config: {}, bounded: true }, eddy.WatermarkStrategy.noWatermarks(), 'in').print();
     });`,
  );
  assertOneLineError(await run(path), 1, /unknown source connector "kafak" \(did you mean "kafka"\?\)/);
});

test('a job failing at run time: exit 1, the operator and the element in the message', async () => {
  const path = await jobFile(
    'fails.ts',
    `export default eddy.defineJob((env) => {
       env.fromSource(eddy.elementsSource([1, 2, 3]), eddy.WatermarkStrategy.noWatermarks(), 'numbers')
         .map((n) => { if (n === 2) throw new Error('two is not allowed'); return n; })
         .name('reject twos')
         .print();
     });`,
  );
  const result = await run(path);
  assert.equal(result.code, 1, result.stderr);
  const lines = messageLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', /^eddy: operator "reject twos" failed on element 2: two is not allowed$/);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
});

test('without --bootstrap the embedded broker serves the job: what one run writes, the next reads', async () => {
  const write = await jobFile(
    'write.ts',
    `export default eddy.defineJob((env) => {
       env.fromSource(eddy.elementsSource(['a', 'b', 'c']), eddy.WatermarkStrategy.noWatermarks(), 'letters')
         .sinkTo(eddy.kafkaSink({ topic: 'letters', format: 'string' }));
     });`,
  );
  const read = await jobFile(
    'read.ts',
    `export default eddy.defineJob((env, { bootstrap }) => {
       env.fromSource(
         eddy.kafkaSource({ topics: ['letters'], startFrom: 'earliest', format: 'string', stopAtEnd: true }),
         eddy.WatermarkStrategy.noWatermarks(), 'letters')
         .map((letter) => letter + ' via ' + (bootstrap ?? 'nothing').replace(/:\\d+$/, ''))
         .print();
     });`,
  );
  const written = await run(write);
  assert.equal(written.code, 0, written.stderr);
  assert.deepEqual(messageLines(written.stderr), []);
  // A second process: a new broker on the same data directory still has the topic.
  const result = await run(read);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'a via 127.0.0.1\nb via 127.0.0.1\nc via 127.0.0.1\n');
});

test('the embedded broker port is taken: usage error saying to pass --port 0 or --bootstrap', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const address = taken.address();
  assert.ok(address !== null && typeof address === 'object');
  try {
    const path = await jobFile('ok.ts', 'export default eddy.defineJob(() => {});');
    const result = await runEddy([
      'run',
      '--parallelism',
      '1',
      '--data-dir',
      dataDir,
      '--port',
      String(address.port),
      path,
    ]);
    assertOneLineError(
      result,
      2,
      new RegExp(`cannot listen on localhost:${address.port}: the port is in use.*--port 0.*--bootstrap`),
    );
  } finally {
    taken.close();
  }
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} cancels a running job and exits 0`, async () => {
    const path = await jobFile(
      'endless.ts',
      `export default eddy.defineJob((env) => {
         env.fromSource(eddy.datagenSource({ generate: (i) => 'tick ' + i, rate: 20 }),
           eddy.WatermarkStrategy.noWatermarks(), 'ticks').print();
       });`,
    );
    const eddy = startEddy(['run', '--parallelism', '1', '--data-dir', dataDir, '--port', '0', path]);
    try {
      await eddy.waitForLine((line) => line === 'tick 1');
      eddy.kill(signal);
      const result = await eddy.exit();
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(messageLines(result.stderr), []);
      assert.match(result.stderr, /"status":"cancelled","msg":"job ended"/);
      // Every line printed is whole: the ticks in order from 0.
      const ticks = result.stdout.split('\n').slice(0, -1);
      assert.deepEqual(
        ticks,
        ticks.map((_, i) => `tick ${i}`),
      );
    } finally {
      if (eddy.running) eddy.kill('SIGKILL');
    }
  });
}
