// `npm run bench -- <name> [args...]` runs bench/<name>.ts in a fresh Node process.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { closestSpelling } from '../src/common/spelling.ts';

const benchDir = join(import.meta.dirname, '..', 'bench');
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);

if (!name || !existsSync(join(benchDir, `${name}.ts`))) {
  const hint = name ? ` (closest: '${closestSpelling(name, available)}')` : '';
  process.stderr.write(
    `bench: ${name ? `no benchmark '${name}'${hint}` : 'name a benchmark'}; available: ${available.join(', ')}\n`,
  );
  process.exit(2);
}
const result = spawnSync(process.execPath, [join(benchDir, `${name}.ts`), ...rest], { stdio: 'inherit' });
process.exit(result.status ?? 1);
