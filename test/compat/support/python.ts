// Finds a Python interpreter that can import a Debian client package. Debian's packages live in
// /usr/bin/python3's dist-packages; a pyenv or venv python3 earlier on PATH cannot import them.
import { execFileSync } from 'node:child_process';

/**
 * The first of /usr/bin/python3 and python3 that can import `module`, or null.
 *
 * @example
 * const python = findPython('confluent_kafka');
 */
export function findPython(module: string): string | null {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(candidate, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 10_000 });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return null;
}
