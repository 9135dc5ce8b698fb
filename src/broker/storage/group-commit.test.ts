import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from './group-commit.ts';

/** A flush whose completion the test controls. */
function controlledFlush() {
  const started: Array<PromiseWithResolvers<void>> = [];
  const flush = () => {
    const d = Promise.withResolvers<void>();
    started.push(d);
    return d.promise;
  };
  return { started, flush };
}

test('callers arriving during a flush share the single next flush', async () => {
  const { started, flush } = controlledFlush();
  const commit = new GroupCommit(flush);
  const first = commit.sync();
  assert.equal(started.length, 1);
  let laterDone = 0;
  const later = Array.from({ length: 10 }, () => commit.sync().then(() => laterDone++));
  assert.equal(started.length, 1, 'no second flush while the first runs');
  started[0].resolve();
  await first;
  await new Promise((r) => setImmediate(r));
  assert.equal(laterDone, 0, 'the first flush may predate their writes, so it does not count for them');
  assert.equal(started.length, 2);
  started[1].resolve();
  await Promise.all(later);
  assert.equal(laterDone, 10);
  assert.equal(commit.busy, false);
});

test('a failed flush rejects exactly the callers waiting for it', async () => {
  const { started, flush } = controlledFlush();
  const commit = new GroupCommit(flush);
  const first = commit.sync();
  const second = commit.sync();
  started[0].reject(new Error('EIO'));
  await assert.rejects(first, /EIO/);
  await new Promise((r) => setImmediate(r));
  started[1].resolve();
  await second;
});
