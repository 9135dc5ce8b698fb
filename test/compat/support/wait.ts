// Polling waits for the compat tests, which watch real clients converge on a state.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves once `check()` is true; fails naming `what` after `timeoutMs`.
 *
 * @example
 * await until('three members', () => members.length === 3);
 */
export async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
