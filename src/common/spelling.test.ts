import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestSpelling, editDistance } from './spelling.ts';

test('edit distance counts insertions, deletions, substitutions and swaps', () => {
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('abc', 'abc'), 0);
  assert.equal(editDistance('abc', 'abd'), 1);
  assert.equal(editDistance('abc', 'ab'), 1);
  assert.equal(editDistance('verison', 'version'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('closest spelling picks the nearest candidate', () => {
  assert.equal(closestSpelling('verison', ['run', 'version', 'demo']), 'version');
  assert.equal(closestSpelling('--log-levle', ['--bootstrap', '--log-level']), '--log-level');
  assert.equal(closestSpelling('x', []), undefined);
});
