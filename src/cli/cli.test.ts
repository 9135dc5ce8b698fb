// Runs the real `eddy` launcher in a child process, as a user would.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI_COMMANDS } from './command-list.ts';

const launcher = new URL('../../bin/eddy.js', import.meta.url).pathname;

function eddy(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const result = spawnSync(process.execPath, [launcher, ...args], {
    encoding: 'utf8',
    env: { ...withoutEddyVariables(process.env), ...env },
    cwd,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function withoutEddyVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('EDDY_')));
}

test('--help lists every registered command', () => {
  const { code, stdout } = eddy(['--help']);
  assert.equal(code, 0);
  for (const command of CLI_COMMANDS) assert.match(stdout, new RegExp(`^\\s+${command.name}\\b`, 'm'));
});

test('version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const result = eddy(['version']);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${pkg.version}\n`);
});

test('an unknown command exits 2 with one line naming it and the closest command', () => {
  const result = eddy(['verison']);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trim().split('\n').length, 1);
  assert.match(result.stderr, /unknown command 'verison'.*closest: 'version'/);
  assert.equal(eddy(['nonsense']).code, 2);
});

test('an unknown flag exits 2 with one line naming it and the closest flag', () => {
  const result = eddy(['--log-levle', 'debug', 'version']);
  assert.equal(result.code, 2);
  assert.equal(result.stderr.trim().split('\n').length, 1);
  assert.match(result.stderr, /unknown option '--log-levle'.*closest: '--log-level'/);
  assert.match(eddy(['version', '--verbose']).stderr, /unknown option '--verbose' for 'eddy version'/);
});

test('configuration: a bad value from any source names the key, the value and what is allowed', () => {
  const flag = eddy(['--log-level', 'loud', 'version']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /"logLevel".*--log-level.*"loud".*"info"/);
  const env = eddy(['version'], { EDDY_BOOTSTRAP: 'no-port' });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /"bootstrap".*EDDY_BOOTSTRAP.*"no-port".*host:port/);
  const dir = mkdtempSync(join(tmpdir(), 'eddy-cli-'));
  try {
    writeFileSync(join(dir, 'eddy.config.json'), JSON.stringify({ logLevel: 'chatty' }));
    const file = eddy(['version'], {}, dir);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /eddy\.config\.json.*"chatty"/);
    // A flag overrides the file, so the same command succeeds.
    assert.equal(eddy(['--log-level', 'warn', 'version'], {}, dir).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
