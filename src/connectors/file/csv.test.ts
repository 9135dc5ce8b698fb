import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCsvRow, parseCsvRecord } from './csv.ts';

test('plain, quoted, escaped and empty fields', () => {
  assert.deepEqual(parseCsvRecord('a,"b,c","say ""hi""",,', ','), {
    kind: 'row',
    fields: ['a', 'b,c', 'say "hi"', '', ''],
  });
  assert.deepEqual(parseCsvRecord('', ','), { kind: 'row', fields: [''] });
  assert.deepEqual(parseCsvRecord('x;;"y;z"', ';'), { kind: 'row', fields: ['x', '', 'y;z'] });
});

test('an open quote asks for the next line; a finished multi-line field parses', () => {
  assert.deepEqual(parseCsvRecord('1,"first line', ','), { kind: 'incomplete' });
  assert.deepEqual(parseCsvRecord('1,"first line\nsecond"', ','), {
    kind: 'row',
    fields: ['1', 'first line\nsecond'],
  });
});

test('malformed rows are errors that say what is wrong', () => {
  const stray = parseCsvRecord('5\'11",tall', ',');
  assert.equal(stray.kind, 'error');
  assert.match(stray.kind === 'error' ? stray.error : '', /field 1 contains a quote/);
  const after = parseCsvRecord('"a"b,c', ',');
  assert.match(after.kind === 'error' ? after.error : '', /after the closing quote of field 1/);
});

test('formatting quotes only what needs it and round-trips through the parser', () => {
  const fields = ['plain', 'with,comma', 'with "quote"', 'two\nlines', ''];
  const line = formatCsvRow(fields, ',');
  assert.equal(line, 'plain,"with,comma","with ""quote""","two\nlines",');
  assert.deepEqual(parseCsvRecord(line, ','), { kind: 'row', fields });
});
