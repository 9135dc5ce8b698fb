// Finds (or builds) librdkafka's `examples/rdkafka_performance`, the load generator of the broker
// benchmark. It comes from the same librdkafka source tree that test/compat/librdkafka/run.sh fetches
// and builds, so the benchmark reuses that cache instead of keeping a second copy.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');
const runSh = join(repo, 'test', 'compat', 'librdkafka', 'run.sh');

/** Where the tool is, or why it cannot be had (a message meant for the person running the bench). */
export type ToolLookup = { path: string; source: string } | { error: string };

/**
 * Locates rdkafka_performance: `$EDDY_RDKAFKA_PERFORMANCE` if set; else a librdkafka tree already built
 * by run.sh in `$EDDY_CACHE` (default ~/.cache/eddy); else `run.sh --build-only` (fetch + build, which
 * can take minutes and needs the packages of .ci/install-debian.sh). The example itself is built with
 * `make -C examples rdkafka_performance`, a no-op when it is up to date.
 *
 * @example
 * const tool = findRdkafkaPerformance((line) => process.stderr.write(line));
 * if ('error' in tool) console.error(tool.error);
 */
export function findRdkafkaPerformance(say: (line: string) => void): ToolLookup {
  const fromEnv = process.env.EDDY_RDKAFKA_PERFORMANCE;
  if (fromEnv) {
    return isExecutable(fromEnv)
      ? { path: fromEnv, source: 'EDDY_RDKAFKA_PERFORMANCE' }
      : { error: `EDDY_RDKAFKA_PERFORMANCE=${fromEnv} is not an executable file` };
  }
  let tree = builtTreeInCache();
  if (!tree) {
    // run.sh serialises on a lock shared with librdkafka suite runs, so this may wait for one to end.
    say(
      'broker bench: no built librdkafka tree in the cache; running run.sh --build-only (may take minutes)\n',
    );
    const build = spawnSync('bash', [runSh, '--build-only'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const testsDir = build.stdout?.trim().split('\n').pop();
    if (build.status !== 0 || !testsDir) {
      return { error: `${runSh} --build-only failed (exit ${build.status}); see its messages above` };
    }
    tree = dirname(testsDir);
  }
  const make = spawnSync('make', ['-C', join(tree, 'examples'), 'rdkafka_performance'], { encoding: 'utf8' });
  const path = join(tree, 'examples', 'rdkafka_performance');
  if (make.status !== 0 || !isExecutable(path)) {
    const tail = `${make.stdout ?? ''}${make.stderr ?? ''}`.trim().split('\n').slice(-10).join('\n');
    return { error: `building ${path} failed (make exit ${make.status}):\n${tail}` };
  }
  return { path, source: tree };
}

/** The newest `$EDDY_CACHE/librdkafka-<deb version>/librdkafka-<upstream>` whose libraries run.sh built. */
function builtTreeInCache(): string | undefined {
  const cache = process.env.EDDY_CACHE ?? join(homedir(), '.cache', 'eddy');
  if (!existsSync(cache)) return undefined;
  const trees: string[] = [];
  for (const versionDir of readdirSync(cache)) {
    if (!versionDir.startsWith('librdkafka-') || versionDir === 'librdkafka-logs') continue;
    const dir = join(cache, versionDir);
    let inner: string[];
    try {
      inner = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of inner) {
      const tree = join(dir, name);
      // run.sh writes .eddy-build-ok only after `make libs` and the tests built.
      if (name.startsWith('librdkafka-') && existsSync(join(tree, '.eddy-build-ok'))) trees.push(tree);
    }
  }
  trees.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return trees.pop();
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
