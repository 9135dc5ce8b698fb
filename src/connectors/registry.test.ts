import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import { CollectWriter } from './collect/collect-sink.ts';
import { ElementsReader } from './elements/elements-source.ts';
import { CONNECTORS, connectorResolver } from './registry.ts';
import { drain, sourceContext } from './shared/testing.ts';

test('a descriptor built by hand resolves to a working reader', async () => {
  const reader = connectorResolver.createSource({
    connector: 'elements',
    config: { elements: [1, 2] },
    bounded: true,
  });
  assert.ok(reader instanceof ElementsReader);
  await reader.open(sourceContext());
  assert.deepEqual((await drain(reader)).values, [1, 2]);
  const target: unknown[] = [];
  const writer = connectorResolver.createSink({ connector: 'collect', config: { target } });
  assert.ok(writer instanceof CollectWriter);
  await writer.write({ values: ['x'], timestamps: [Number.NaN] });
  assert.deepEqual(target, ['x'], 'the sink pushes into the very array of the descriptor');
});

test('an unknown connector id suggests the closest one and lists the allowed ids', () => {
  assert.throws(
    () => connectorResolver.createSource({ connector: 'kakfa', config: {}, bounded: false }),
    (e) =>
      isStreamError(e, 'CON_UNKNOWN_CONNECTOR') &&
      e.message.includes('unknown source connector "kakfa" (did you mean "kafka"?)') &&
      e.message.includes('elements, iterable, datagen, socket, file, kafka'),
  );
  assert.throws(
    () => connectorResolver.createSink({ connector: 'zzzzzzzz', config: {} }),
    (e) => isStreamError(e, 'CON_UNKNOWN_CONNECTOR') && !e.message.includes('did you mean'),
  );
});

test('a sink used as a source (and the reverse) says which it is', () => {
  assert.throws(
    () => connectorResolver.createSource({ connector: 'print', config: {}, bounded: true }),
    (e) => isStreamError(e, 'CON_UNKNOWN_CONNECTOR') && /"print" is a sink, not a source/.test(e.message),
  );
  assert.throws(
    () => connectorResolver.createSink({ connector: 'datagen', config: {} }),
    (e) => isStreamError(e, 'CON_UNKNOWN_CONNECTOR') && /"datagen" is a source, not a sink/.test(e.message),
  );
});

test('invalid configs name the connector, each key and what it allows', () => {
  const attempt = (config: Record<string, unknown>) => () =>
    connectorResolver.createSource({ connector: 'kafka', config, bounded: false });
  assert.throws(
    attempt({ topics: [], startFrom: 'earliest', format: 'xml', groupid: 'g' }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') &&
      e.message.startsWith('kafka source config is invalid: ') &&
      e.message.includes('"topics": must name at least one topic') &&
      e.message.includes(
        '"format": must be "json", "string", "bytes" or { deserialize(value, key, headers) }',
      ) &&
      e.message.includes(
        'unknown key "groupid" (did you mean "groupId"?); allowed keys: topics, bootstrap, groupId',
      ),
  );
  assert.throws(
    attempt({ topics: 'clicks', startFrom: 'earliest', format: 'json' }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') &&
      e.message.includes('"topics": expected array, received string'),
  );
  assert.throws(
    attempt({ startFrom: 'earliest', format: 'json' }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') && e.message.includes('"topics" is required (expected array)'),
  );
  assert.throws(
    () =>
      connectorResolver.createSink({
        connector: 'file',
        config: { path: '/x', format: 'csv', rolling: { maxBytes: 0 } },
      }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') &&
      /file sink config is invalid: "rolling\.maxBytes": must be a positive whole number/.test(e.message),
  );
});

test('every connector and every config key is in docs/reference/connectors.md', () => {
  const doc = readFileSync(new URL('../../docs/reference/connectors.md', import.meta.url), 'utf8');
  for (const connector of CONNECTORS) {
    for (const kind of ['source', 'sink'] as const) {
      const side = connector[kind];
      if (side === undefined) continue;
      const heading = `## ${connector.id} ${kind}`;
      assert.ok(doc.includes(heading), `missing section "${heading}"`);
      const section = doc.slice(doc.indexOf(heading)).split('\n## ')[0];
      const shape = (side.schema as unknown as { def: { shape: Record<string, unknown> } }).def.shape;
      for (const key of Object.keys(shape)) {
        assert.ok(section.includes(`\`${key}\``), `${heading} does not document \`${key}\``);
      }
    }
  }
});

test('committedCheckpoint: only sources whose system records checkpoints answer; configs are checked', async () => {
  const ctx = { jobId: 'job-1' };
  const elements = { connector: 'elements', config: { elements: [1] }, bounded: true };
  assert.equal(await connectorResolver.committedCheckpoint?.(elements, ctx), undefined);
  const kafka = {
    connector: 'kafka',
    config: { topics: [], startFrom: 'earliest', format: 'json' },
    bounded: false,
  };
  await assert.rejects(
    async () => connectorResolver.committedCheckpoint?.(kafka, ctx),
    (e) => isStreamError(e, 'CON_INVALID_CONFIG') && /"topics": must name at least one topic/.test(e.message),
  );
});
