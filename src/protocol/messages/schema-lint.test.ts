/**
 * Structural lint for the group, admin and transaction message schemas.
 *
 * A schema that contradicts itself (a field outside the served versions, a tag outside flexible
 * versions, a struct without fields) would only show up when a client happens to send that version,
 * so every declaration is checked here against the rules of the schema format.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldSchema, MessageSchema } from '../schema/types.ts';
import { OFFSET_COMMIT_SCHEMA } from './08-offset-commit.ts';
import { OFFSET_FETCH_SCHEMA } from './09-offset-fetch.ts';
import { FIND_COORDINATOR_SCHEMA } from './10-find-coordinator.ts';
import { JOIN_GROUP_SCHEMA } from './11-join-group.ts';
import { HEARTBEAT_SCHEMA } from './12-heartbeat.ts';
import { LEAVE_GROUP_SCHEMA } from './13-leave-group.ts';
import { SYNC_GROUP_SCHEMA } from './14-sync-group.ts';
import { DESCRIBE_GROUPS_SCHEMA } from './15-describe-groups.ts';
import { LIST_GROUPS_SCHEMA } from './16-list-groups.ts';
import { CREATE_TOPICS_SCHEMA } from './19-create-topics.ts';
import { DELETE_TOPICS_SCHEMA } from './20-delete-topics.ts';
import { INIT_PRODUCER_ID_SCHEMA } from './22-init-producer-id.ts';
import { ADD_PARTITIONS_TO_TXN_SCHEMA } from './24-add-partitions-to-txn.ts';
import { ADD_OFFSETS_TO_TXN_SCHEMA } from './25-add-offsets-to-txn.ts';
import { END_TXN_SCHEMA } from './26-end-txn.ts';
import { TXN_OFFSET_COMMIT_SCHEMA } from './28-txn-offset-commit.ts';
import { DESCRIBE_CONFIGS_SCHEMA } from './32-describe-configs.ts';
import { CREATE_PARTITIONS_SCHEMA } from './37-create-partitions.ts';

/** [schema, apiKey, spec name, served versions, flexible versions] as the brief and the spec JSON give them. */
const EXPECTED: [MessageSchema, number, string, string, string][] = [
  [OFFSET_COMMIT_SCHEMA, 8, 'OffsetCommit', '0-8', '8+'],
  [OFFSET_FETCH_SCHEMA, 9, 'OffsetFetch', '0-8', '6+'],
  [FIND_COORDINATOR_SCHEMA, 10, 'FindCoordinator', '0-4', '3+'],
  [JOIN_GROUP_SCHEMA, 11, 'JoinGroup', '0-6', '6+'],
  [HEARTBEAT_SCHEMA, 12, 'Heartbeat', '0-4', '4+'],
  [LEAVE_GROUP_SCHEMA, 13, 'LeaveGroup', '0-4', '4+'],
  [SYNC_GROUP_SCHEMA, 14, 'SyncGroup', '0-4', '4+'],
  [DESCRIBE_GROUPS_SCHEMA, 15, 'DescribeGroups', '0-5', '5+'],
  [LIST_GROUPS_SCHEMA, 16, 'ListGroups', '0-4', '3+'],
  [CREATE_TOPICS_SCHEMA, 19, 'CreateTopics', '0-7', '5+'],
  [DELETE_TOPICS_SCHEMA, 20, 'DeleteTopics', '0-6', '4+'],
  [INIT_PRODUCER_ID_SCHEMA, 22, 'InitProducerId', '0-4', '2+'],
  [ADD_PARTITIONS_TO_TXN_SCHEMA, 24, 'AddPartitionsToTxn', '0-3', '3+'],
  [ADD_OFFSETS_TO_TXN_SCHEMA, 25, 'AddOffsetsToTxn', '0-1', 'none'],
  [END_TXN_SCHEMA, 26, 'EndTxn', '0-3', '3+'],
  [TXN_OFFSET_COMMIT_SCHEMA, 28, 'TxnOffsetCommit', '0-3', '3+'],
  [DESCRIBE_CONFIGS_SCHEMA, 32, 'DescribeConfigs', '0-2', 'none'],
  [CREATE_PARTITIONS_SCHEMA, 37, 'CreatePartitions', '0-3', '2+'],
];

const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'bytes',
  'records',
  'uuid',
]);
const INTEGERS = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64']);
const NULLABLE_PRIMITIVES = new Set(['string', 'bytes', 'records']);

/** Inclusive bounds; `max` is Infinity for 'N+'. Empty for 'none'. */
interface Bounds {
  min: number;
  max: number;
}

/** Parses the spec's range notation, or returns undefined when the text is not a range at all. */
function parseRange(range: string): Bounds | null | undefined {
  if (range === 'none') return null;
  let m = /^(\d+)\+$/.exec(range);
  if (m) return { min: Number(m[1]), max: Number.POSITIVE_INFINITY };
  m = /^(\d+)-(\d+)$/.exec(range);
  if (m && Number(m[1]) <= Number(m[2])) return { min: Number(m[1]), max: Number(m[2]) };
  m = /^(\d+)$/.exec(range);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  return undefined;
}

/** Clips a range to the served versions; null when nothing is left. */
function clip(b: Bounds | null, to: Bounds): Bounds | null {
  if (!b) return null;
  const min = Math.max(b.min, to.min);
  const max = Math.min(b.max, to.max);
  return min <= max ? { min, max } : null;
}

const within = (inner: Bounds | null, outer: Bounds | null) =>
  inner === null || (outer !== null && inner.min >= outer.min && inner.max <= outer.max);

/** Returns every structural problem in `schema`, each prefixed by its field path; empty when sound. */
function lintSchema(schema: MessageSchema): string[] {
  const problems: string[] = [];
  const valid = parseRange(schema.validVersions);
  if (!valid || valid.max === Number.POSITIVE_INFINITY) {
    return [`validVersions '${schema.validVersions}' must be a closed range like '0-4'`];
  }
  const flexibleRaw = parseRange(schema.flexibleVersions);
  if (flexibleRaw === undefined || (flexibleRaw && flexibleRaw.max !== Number.POSITIVE_INFINITY)) {
    problems.push(`flexibleVersions '${schema.flexibleVersions}' must be 'N+' or 'none'`);
  } else if (flexibleRaw && (flexibleRaw.min < valid.min || flexibleRaw.min > valid.max)) {
    problems.push(`flexibleVersions '${schema.flexibleVersions}' starts outside ${schema.validVersions}`);
  }
  const flexible = flexibleRaw ? clip(flexibleRaw, valid) : null;

  const lintRange = (path: string, what: string, range: string): Bounds | null => {
    const b = parseRange(range);
    if (b === undefined) {
      problems.push(`${path}: ${what} '${range}' is not a version range`);
      return null;
    }
    // Open-ended ranges end with the schema's; a closed or starting bound outside it is a typo.
    if (
      b &&
      (b.min < valid.min || b.min > valid.max || (b.max !== Number.POSITIVE_INFINITY && b.max > valid.max))
    ) {
      problems.push(`${path}: ${what} '${range}' lies outside validVersions ${schema.validVersions}`);
    }
    return clip(b, valid);
  };

  const lintFields = (path: string, fields: FieldSchema[], parent: Bounds | null) => {
    const names = new Set<string>();
    const tags = new Set<number>();
    for (const field of fields) {
      const at = `${path}.${field.name}`;
      if (!/^[a-z][A-Za-z0-9]*$/.test(field.name)) problems.push(`${at}: name is not camelCase`);
      if (names.has(field.name)) problems.push(`${at}: duplicate field name`);
      names.add(field.name);

      const versions = lintRange(at, 'versions', field.versions);
      if (versions === null) problems.push(`${at}: field is present in no served version`);
      else if (parent && (versions.max < parent.min || versions.min > parent.max)) {
        problems.push(`${at}: versions never overlap the enclosing struct's`);
      }

      const isArray = field.type.startsWith('[]');
      const element = isArray ? field.type.slice(2) : field.type;
      const isStruct = !PRIMITIVES.has(element);
      if (isStruct && !/^[A-Z][A-Za-z0-9]*$/.test(element)) {
        problems.push(`${at}: type '${field.type}' is neither a primitive nor a struct name`);
      }
      if (isStruct && !field.fields?.length)
        problems.push(`${at}: struct type '${field.type}' has no fields`);
      if (!isStruct && field.fields)
        problems.push(`${at}: primitive type '${field.type}' must not have fields`);

      if (field.nullableVersions !== undefined) {
        const nullable = lintRange(at, 'nullableVersions', field.nullableVersions);
        if (!within(nullable, versions)) problems.push(`${at}: nullableVersions exceed versions`);
        if (!isArray && !isStruct && !NULLABLE_PRIMITIVES.has(element)) {
          problems.push(`${at}: type '${field.type}' cannot be nullable`);
        }
      }

      if ((field.taggedVersions === undefined) !== (field.tag === undefined)) {
        problems.push(`${at}: taggedVersions and tag must be given together`);
      }
      if (field.taggedVersions !== undefined) {
        const tagged = lintRange(at, 'taggedVersions', field.taggedVersions);
        if (!within(tagged, flexible)) problems.push(`${at}: tagged in non-flexible versions`);
        if (!within(tagged, versions)) problems.push(`${at}: taggedVersions exceed versions`);
      }
      if (field.tag !== undefined) {
        if (!Number.isInteger(field.tag) || field.tag < 0)
          problems.push(`${at}: tag must be a non-negative integer`);
        if (tags.has(field.tag)) problems.push(`${at}: duplicate tag ${field.tag}`);
        tags.add(field.tag);
      }

      if (field.default !== undefined) {
        const d = field.default;
        const ok =
          d === null
            ? field.nullableVersions !== undefined
            : isArray || isStruct
              ? false
              : INTEGERS.has(element)
                ? Number.isInteger(d)
                : element === 'bool'
                  ? typeof d === 'boolean'
                  : element === 'string'
                    ? typeof d === 'string'
                    : element === 'float64' && typeof d === 'number';
        if (!ok) problems.push(`${at}: default ${JSON.stringify(d)} does not fit type '${field.type}'`);
      }

      if (field.fields) lintFields(at, field.fields, versions);
    }
  };

  lintFields(`${schema.name}Request`, schema.request, valid);
  lintFields(`${schema.name}Response`, schema.response, valid);
  return problems;
}

describe('group, admin and transaction message schemas', () => {
  for (const [schema, apiKey, name, validVersions, flexibleVersions] of EXPECTED) {
    it(`${name} (${apiKey}) is structurally sound`, () => {
      assert.deepEqual(
        {
          apiKey: schema.apiKey,
          name: schema.name,
          validVersions: schema.validVersions,
          flexibleVersions: schema.flexibleVersions,
        },
        { apiKey, name, validVersions, flexibleVersions },
      );
      assert.deepEqual(lintSchema(schema), []);
    });
  }

  it('no two schemas claim the same API key', () => {
    const keys = EXPECTED.map(([schema]) => schema.apiKey);
    assert.equal(new Set(keys).size, keys.length);
  });
});

describe('schema lint catches broken declarations', () => {
  const base = (request: FieldSchema[]): MessageSchema => ({
    apiKey: 999,
    name: 'Broken',
    validVersions: '0-4',
    flexibleVersions: '3+',
    request,
    response: [],
  });
  const cases: [string, MessageSchema, RegExp][] = [
    [
      'closed range past the top',
      base([{ name: 'a', type: 'int32', versions: '0-5' }]),
      /outside validVersions/,
    ],
    [
      'field starting after the top',
      base([{ name: 'a', type: 'int32', versions: '5+' }]),
      /outside validVersions/,
    ],
    ['garbled range', base([{ name: 'a', type: 'int32', versions: '2..4' }]), /not a version range/],
    [
      'tag in a non-flexible version',
      base([{ name: 'a', type: 'int32', versions: '2+', taggedVersions: '2+', tag: 0 }]),
      /non-flexible/,
    ],
    [
      'duplicate tag',
      base([
        { name: 'a', type: 'int32', versions: '3+', taggedVersions: '3+', tag: 1 },
        { name: 'b', type: 'int32', versions: '3+', taggedVersions: '3+', tag: 1 },
      ]),
      /duplicate tag/,
    ],
    ['tag without taggedVersions', base([{ name: 'a', type: 'int32', versions: '3+', tag: 0 }]), /together/],
    ['struct array without fields', base([{ name: 'a', type: '[]Thing', versions: '0+' }]), /has no fields/],
    ['single struct without fields', base([{ name: 'a', type: 'Thing', versions: '0+' }]), /has no fields/],
    ['unknown primitive', base([{ name: 'a', type: '[]int', versions: '0+' }]), /neither a primitive/],
    [
      'nullable int',
      base([{ name: 'a', type: 'int32', versions: '0+', nullableVersions: '0+' }]),
      /cannot be nullable/,
    ],
    [
      'nullable beyond versions',
      base([{ name: 'a', type: 'string', versions: '2+', nullableVersions: '0+' }]),
      /exceed versions/,
    ],
    ['snake_case name', base([{ name: 'error_code', type: 'int16', versions: '0+' }]), /camelCase/],
    [
      'duplicate name',
      base([
        { name: 'a', type: 'int16', versions: '0+' },
        { name: 'a', type: 'int16', versions: '1+' },
      ]),
      /duplicate field name/,
    ],
    [
      'nested field outside its struct',
      base([
        {
          name: 'a',
          type: '[]Thing',
          versions: '0-1',
          fields: [{ name: 'b', type: 'int8', versions: '3+' }],
        },
      ]),
      /never overlap/,
    ],
    [
      'default of the wrong type',
      base([{ name: 'a', type: 'int16', versions: '0+', default: '-1' }]),
      /does not fit/,
    ],
    ['flexible threshold past the top', { ...base([]), flexibleVersions: '5+' }, /starts outside/],
  ];
  for (const [label, schema, expected] of cases) {
    it(`flags ${label}`, () => {
      const problems = lintSchema(schema);
      assert.ok(
        problems.some((p) => expected.test(p)),
        `expected ${expected} in ${JSON.stringify(problems)}`,
      );
    });
  }
});
