// Runs `node src/cli/main.ts ...` as a child process, as a user runs `eddy`, for tests that need its
// standard output (the print sink), its exit code or its reaction to signals.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const MAIN = new URL('../main.ts', import.meta.url).pathname;

export interface EddyExit {
  /** Exit status; null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface EddyOptions {
  /** Added to the environment, which otherwise has no EDDY_ variables (so none leak in from the shell). */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

/**
 * A running `eddy` child. Its standard output is kept line by line; `waitForLine` resolves when a line
 * matching a test has arrived (or already had), so tests wait for what they need to see, not for time.
 *
 * @example
 * const eddy = startEddy(['run', 'job.ts']);
 * await eddy.waitForLine((line) => line.startsWith('INFO'));
 * eddy.kill('SIGINT');
 * assert.equal((await eddy.exited).code, 0);
 */
export class EddyProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<EddyExit>;
  private readonly child: ChildProcess;
  private stdout = '';
  private stderr = '';
  private readonly waiters = new Set<() => void>();

  constructor(args: readonly string[], options: EddyOptions = {}) {
    this.child = spawn(process.execPath, [MAIN, ...args], {
      env: { ...withoutEddyVariables(process.env), ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { stdout, stderr } = this.child;
    if (stdout === null || stderr === null) throw new Error('the eddy child has no output pipes');
    stdout.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
    });
    stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: stdout }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.waiters) wake();
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        for (const wake of this.waiters) wake();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything written to stderr so far, for failure messages. */
  get errorOutput(): string {
    return this.stderr;
  }

  /**
   * Resolves with the first stdout line (from `from` on) that satisfies `test`; rejects, with the
   * child's stderr, when the child exits first or `timeoutMs` passes.
   */
  waitForLine(test: (line: string) => boolean, timeoutMs = 15_000, from = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const done = (error: Error | undefined, line?: string) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve(line ?? '');
      };
      const check = () => {
        const line = this.lines.slice(from).find(test);
        if (line !== undefined) done(undefined, line);
        else if (!this.running) done(new Error(`eddy exited before the line came; stderr:\n${this.stderr}`));
      };
      const timer = setTimeout(
        () =>
          done(
            new Error(
              `no such line within ${timeoutMs} ms; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.add(check);
      check();
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Waits for the exit; kills the child (and fails) if it takes longer than `timeoutMs`. */
  async exit(timeoutMs = 15_000): Promise<EddyExit> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    try {
      const result = await this.exited;
      if (timedOut) throw new Error(`eddy did not exit within ${timeoutMs} ms; stderr:\n${result.stderr}`);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function startEddy(args: readonly string[], options: EddyOptions = {}): EddyProcess {
  return new EddyProcess(args, options);
}

/** Runs `eddy args` to its end (killed after `timeoutMs`). */
export function runEddy(
  args: readonly string[],
  options: EddyOptions & { readonly timeoutMs?: number } = {},
): Promise<EddyExit> {
  return startEddy(args, options).exit(options.timeoutMs);
}

/** stderr without the JSON log lines: what eddy printed for a person to read. */
export function messageLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{"level":'));
}

function withoutEddyVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('EDDY_')));
}
