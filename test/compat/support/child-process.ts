// Runs client programs (Python scripts, kcat) as child processes for the compat tests: to completion
// with a time limit, or long-lived with their output read line by line.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** What a finished child printed. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command args` to the end (killed after `timeoutMs`); `env` is added to this process's env and
 * `input`, when given, is written to its stdin.
 */
export function run(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
  input?: string,
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // An empty stdin reads as end-of-file, as /dev/null would.
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like `run`, but fails with the child's stderr unless it exits 0; resolves with its stdout. */
export async function runOk(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<string> {
  const result = await run(command, args, env, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/** Parses output with one JSON value per non-empty line. */
export function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/**
 * A long-lived child whose stdout and stderr lines are handed to callbacks as they arrive. `stop()`
 * sends SIGTERM (the clients under test leave their group and commit on it) and waits for the exit,
 * killing the child if it takes longer than `graceMs`.
 *
 * @example
 * const child = new LineProcess('kcat', ['-G', 'g', 't'], {}, { stdout: (l) => lines.push(l) });
 * await child.stop();
 */
export class LineProcess {
  private readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) once the child has exited. */
  readonly exited: Promise<number | null>;
  /** Everything the child wrote to stderr, for failure messages. */
  stderr = '';

  constructor(
    command: string,
    args: readonly string[],
    env: Record<string, string>,
    on: { stdout?: (line: string) => void; stderr?: (line: string) => void },
  ) {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.on('close', resolve));
    child.on('error', (error) => {
      this.stderr += `${error.message}\n`;
    });
    if (child.stdout === null || child.stderr === null) throw new Error('the child has no output pipes');
    createInterface({ input: child.stdout }).on('line', (line) => on.stdout?.(line));
    createInterface({ input: child.stderr }).on('line', (line) => {
      this.stderr += `${line}\n`;
      on.stderr?.(line);
    });
  }

  /** Whether the child has exited. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Asks the child to stop (SIGTERM) and resolves with its exit code once it has exited. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the child at once, for cleanup after a failed test. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}
