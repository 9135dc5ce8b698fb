#!/usr/bin/env node
// Launcher for the `eddy` command. eddy's source is TypeScript run by Node's type stripping, which needs
// Node >= 22.22. When started by an older Node (a machine whose system Node is 20), re-run the same
// command with the Node the project installs from the npm registry, if it is there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
const recentEnough = major > 22 || (major === 22 && minor >= 22);

if (recentEnough) {
  // Node's on-disk compile cache (in the OS temp dir) halves start-up: eddy is many TypeScript modules,
  // and every worker thread of a parallel job imports them again.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  await import('../src/cli/main.ts');
} else {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const bundled = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
  if (!existsSync(bundled)) {
    process.stderr.write(
      `eddy: needs Node >= 22.22 (this is ${process.version}); install Node 24 or run 'npm install' in ${root}\n`,
    );
    process.exit(2);
  }
  const result = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}
