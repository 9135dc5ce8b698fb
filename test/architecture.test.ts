// Enforces the dependency arrows of DESIGN.md §2: a module may import only the modules listed for it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

/** Which src/ modules each module may import (besides itself). New modules must be added here. */
export const ALLOWED_IMPORTS: Record<string, readonly string[]> = {
  common: [],
  protocol: ['common'],
  broker: ['common', 'protocol'],
  kafka: ['common', 'protocol'],
  state: ['common', 'plan'],
  plan: ['common'],
  engine: ['common', 'state', 'plan'],
  connectors: ['common', 'protocol', 'kafka', 'state', 'engine', 'plan'],
  api: ['common', 'plan'],
  job: ['common', 'protocol', 'broker', 'kafka', 'state', 'engine', 'plan', 'connectors'],
  sql: ['common', 'plan'],
  server: [
    'common',
    'protocol',
    'broker',
    'kafka',
    'state',
    'engine',
    'plan',
    'connectors',
    'api',
    'sql',
    'job',
  ],
  cli: [
    'common',
    'protocol',
    'broker',
    'kafka',
    'state',
    'engine',
    'plan',
    'connectors',
    'api',
    'sql',
    'server',
    'job',
  ],
};

const root = resolve(import.meta.dirname, '..');
const srcDir = join(root, 'src');

interface SourceFile {
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  text: string;
}

const IMPORT_PATTERN =
  /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every violation in `files`, as "file → imported module" lines. */
export function findViolations(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const from = moduleOf(file.path);
    if (from === undefined) continue;
    const allowed = ALLOWED_IMPORTS[from];
    if (!allowed) {
      violations.push(`${file.path}: module src/${from} is not in the architecture table`);
      continue;
    }
    for (const match of file.text.matchAll(IMPORT_PATTERN)) {
      const specifier = match[1] ?? match[2];
      if (!specifier.startsWith('.')) continue;
      const target = relative(root, resolve(root, dirname(file.path), specifier))
        .split(sep)
        .join('/');
      const to = moduleOf(target);
      if (to === undefined) {
        violations.push(`${file.path} imports ${specifier}, outside src/`);
      } else if (to !== from && !allowed.includes(to)) {
        violations.push(`${file.path} imports ${specifier}: src/${from} may not depend on src/${to}`);
      }
    }
  }
  return violations;
}

function moduleOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

function sourceFiles(dir: string): SourceFile[] {
  const files: SourceFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const full = join(entry.parentPath, entry.name);
    files.push({ path: relative(root, full).split(sep).join('/'), text: readFileSync(full, 'utf8') });
  }
  return files;
}

test('src/ imports follow the arrows of DESIGN.md §2', () => {
  assert.deepEqual(findViolations(sourceFiles(srcDir)), []);
});

test('the check catches a broker file importing the engine, and an unlisted module', () => {
  const violations = findViolations([
    { path: 'src/broker/server.ts', text: "import { run } from '../engine/runtime.ts';\n" },
    {
      path: 'src/broker/ok.ts',
      text: "import type { X } from '../protocol/x.ts';\nimport { y } from './y.ts';\n",
    },
    { path: 'src/common/lazy.ts', text: "const m = await import('../broker/index.ts');\n" },
    { path: 'src/mystery/a.ts', text: '' },
  ]);
  assert.deepEqual(violations, [
    'src/broker/server.ts imports ../engine/runtime.ts: src/broker may not depend on src/engine',
    'src/common/lazy.ts imports ../broker/index.ts: src/common may not depend on src/broker',
    'src/mystery/a.ts: module src/mystery is not in the architecture table',
  ]);
});
