import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { z } from 'zod';
import { envNameFor, loadConfig } from './config.ts';
import { isStreamError } from './errors.ts';

const spec = {
  logLevel: { schema: z.enum(['info', 'debug', 'warn']), default: 'info', description: 'log level' },
  partitions: { schema: z.number().int().min(1).max(1000), default: 1, description: 'default partitions' },
  autoCreate: { schema: z.boolean(), default: true, description: 'auto-create topics' },
};

const dir = mkdtempSync(join(tmpdir(), 'eddy-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(content: unknown): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

test('env names are EDDY_ plus the key in upper snake case', () => {
  assert.equal(envNameFor('logLevel'), 'EDDY_LOG_LEVEL');
  assert.equal(envNameFor('partitions'), 'EDDY_PARTITIONS');
});

test('defaults apply when no source sets a key', () => {
  assert.deepEqual(loadConfig(spec), { logLevel: 'info', partitions: 1, autoCreate: true });
});

test('flags beat environment, which beats the file', () => {
  const file = configFile({ logLevel: 'warn', partitions: 3, autoCreate: false });
  const env = { EDDY_LOG_LEVEL: 'debug', EDDY_PARTITIONS: '7' };
  assert.deepEqual(loadConfig(spec, { file, env }), { logLevel: 'debug', partitions: 7, autoCreate: false });
  assert.deepEqual(loadConfig(spec, { file, env, flags: { logLevel: 'info', partitions: undefined } }), {
    logLevel: 'info',
    partitions: 7,
    autoCreate: false,
  });
});

test('a bad value names the key, its origin, the value and what is allowed', () => {
  assert.throws(
    () => loadConfig(spec, { env: { EDDY_LOG_LEVEL: 'loud' } }),
    (error: unknown) =>
      isStreamError(error, 'CFG_INVALID_VALUE') &&
      /logLevel/.test(error.message) &&
      /EDDY_LOG_LEVEL/.test(error.message) &&
      /"loud"/.test(error.message) &&
      /info/.test(error.message),
  );
  assert.throws(
    () => loadConfig(spec, { flags: { partitions: '0' } }),
    (error: unknown) => isStreamError(error, 'CFG_INVALID_VALUE') && /--partitions/.test(error.message),
  );
});

test('unknown keys in the file are rejected with the closest spelling', () => {
  const file = configFile({ logLevle: 'debug' });
  assert.throws(
    () => loadConfig(spec, { file }),
    (error: unknown) =>
      isStreamError(error, 'CFG_UNKNOWN_KEY') && /did you mean "logLevel"/.test(error.message),
  );
});

test('a missing default file is fine, a missing named file or broken JSON is not', () => {
  assert.equal(loadConfig(spec, { file: join(dir, 'absent.json') }).logLevel, 'info');
  assert.throws(
    () => loadConfig(spec, { file: join(dir, 'absent.json'), fileRequired: true }),
    (error: unknown) => isStreamError(error, 'CFG_FILE_UNREADABLE'),
  );
  assert.throws(
    () => loadConfig(spec, { file: configFile('{ not json') }),
    (error: unknown) => isStreamError(error, 'CFG_FILE_UNREADABLE'),
  );
});
