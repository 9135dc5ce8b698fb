import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES, ERROR_REGISTRIES } from './error-codes/index.ts';
import { isStreamError, StreamError } from './errors.ts';

const docPath = new URL('../../docs/reference/errors.md', import.meta.url);

/** Rows of the errors table: | `CODE` | domain | yes/no | meaning | */
function documentedCodes(): Map<string, { domain: string; retriable: string }> {
  const rows = new Map<string, { domain: string; retriable: string }>();
  for (const line of readFileSync(docPath, 'utf8').split('\n')) {
    const match = /^\|\s*`([A-Z]+_[A-Z0-9_]+)`\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|/.exec(line);
    if (match) rows.set(match[1], { domain: match[2], retriable: match[3] });
  }
  return rows;
}

test('every registered error code is documented with its domain and retry hint', () => {
  const documented = documentedCodes();
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    const row = documented.get(code);
    assert.ok(row, `${code} is missing from docs/reference/errors.md`);
    assert.equal(row.domain, spec.domain, `${code}: documented domain differs from the registry`);
    assert.equal(row.retriable, spec.retriable ? 'yes' : 'no', `${code}: documented retry hint differs`);
  }
});

test('every documented error code exists in a registry', () => {
  for (const code of documentedCodes().keys()) {
    assert.ok(code in ERROR_CODES, `${code} is documented but no registry defines it`);
  }
});

test('each registry holds only codes with its own prefix', () => {
  for (const [prefix, registry] of Object.entries(ERROR_REGISTRIES)) {
    for (const code of Object.keys(registry))
      assert.ok(code.startsWith(prefix), `${code} is not a ${prefix} code`);
  }
});

test('StreamError carries code, domain, retry hint, details and cause', () => {
  const cause = new Error('disk on fire');
  const error = new StreamError('CFG_FILE_UNREADABLE', 'cannot read x', { cause, details: { path: 'x' } });
  assert.equal(error.code, 'CFG_FILE_UNREADABLE');
  assert.equal(error.domain, 'user');
  assert.equal(error.retriable, false);
  assert.equal(error.cause, cause);
  assert.deepEqual(error.details, { path: 'x' });
  assert.ok(isStreamError(error, 'CFG_FILE_UNREADABLE'));
  assert.ok(!isStreamError(error, 'CFG_UNKNOWN_KEY'));
  assert.equal(new StreamError('CLI_BAD_ARGUMENT', 'x', { retriable: true }).retriable, true);
});
