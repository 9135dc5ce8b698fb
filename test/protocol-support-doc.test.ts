// docs/internals/protocol-support.md must list exactly the APIs and versions the broker advertises.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { HANDLERS, supportedApis } from '../src/broker/handlers/registry.ts';

test('the protocol support table equals the handler registry', () => {
  const doc = readFileSync(new URL('../docs/internals/protocol-support.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| (\d+) \| (\w+) \| (\d+)–(\d+) \|/gm)].map((m) => ({
    apiKey: Number(m[1]),
    name: m[2],
    minVersion: Number(m[3]),
    maxVersion: Number(m[4]),
  }));
  const served = supportedApis(HANDLERS).map((api) => ({
    ...api,
    name: HANDLERS.find((h) => h.schema.apiKey === api.apiKey)!.schema.name,
  }));
  assert.deepEqual(
    rows,
    served.map(({ apiKey, name, minVersion, maxVersion }) => ({ apiKey, name, minVersion, maxVersion })),
  );
});
