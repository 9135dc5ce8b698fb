import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { inRange, listVersions, parseVersionRange } from './versions.ts';

describe('parseVersionRange', () => {
  it('parses the four forms of the spec', () => {
    assert.deepEqual(parseVersionRange('3+'), { min: 3, max: Number.POSITIVE_INFINITY });
    assert.deepEqual(parseVersionRange('0-4'), { min: 0, max: 4 });
    assert.deepEqual(parseVersionRange('2'), { min: 2, max: 2 });
    assert.equal(parseVersionRange('none'), null);
    assert.deepEqual(parseVersionRange('12-12'), { min: 12, max: 12 });
  });

  it('rejects anything else as a schema error', () => {
    for (const bad of ['', '+3', '4-2', '1..3', 'all', '-1', '3+4', '1-', 'None']) {
      assert.throws(
        () => parseVersionRange(bad),
        (e: unknown) => isStreamError(e, 'BRK_PROTOCOL_SCHEMA_INVALID'),
        `"${bad}" should be rejected`,
      );
    }
  });
});

describe('inRange', () => {
  it('answers for open, closed, single and empty ranges', () => {
    assert.equal(inRange('3+', 2), false);
    assert.equal(inRange('3+', 3), true);
    assert.equal(inRange('3+', 1000), true);
    assert.equal(inRange('0-4', 0), true);
    assert.equal(inRange('0-4', 4), true);
    assert.equal(inRange('0-4', 5), false);
    assert.equal(inRange('2', 2), true);
    assert.equal(inRange('2', 3), false);
    assert.equal(inRange('none', 0), false);
  });

  it('treats a missing range (an optional key left out) as empty', () => {
    assert.equal(inRange(undefined, 0), false);
  });
});

describe('listVersions', () => {
  it('lists closed ranges and refuses open ones', () => {
    assert.deepEqual(listVersions('1-3'), [1, 2, 3]);
    assert.deepEqual(listVersions('5'), [5]);
    assert.deepEqual(listVersions('none'), []);
    assert.throws(
      () => listVersions('0+'),
      (e: unknown) => isStreamError(e, 'BRK_PROTOCOL_SCHEMA_INVALID'),
    );
  });
});
