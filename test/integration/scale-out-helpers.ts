// `eddy run --scale-out` processes for scale-out-processes.test.ts: each one's JSON log (pino, on
// stderr) read back line by line, which tasks the group gave it, and a readable tail of every process's
// log for failure messages, so a failing run says what the processes were doing.
import { type EddyExit, type EddyProcess, startEddy } from '../../src/cli/testing-support/eddy-child.ts';

/** One pino line of an eddy process, with the fields the test reads. */
export interface LogLine {
  readonly level: number;
  readonly time: number;
  readonly msg: string;
  readonly task?: number;
  readonly generation?: number;
  readonly tasks?: number[];
  readonly members?: number;
  readonly err?: { readonly message?: string };
}

/** What the group gave one process: the supervisor's "tasks ... of T here, generation G" line. */
export interface Assignment {
  readonly generation: number;
  readonly tasks: readonly number[];
  readonly members: number;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * A named `eddy` child whose log lines can be searched while it runs.
 *
 * @example
 * const a = new ScaleOutProcess('A', ['--log-level', 'info', 'run', job, '--scale-out', ...]);
 * await until(() => a.logged('job running (scaled out)'), 30_000);
 */
export class ScaleOutProcess {
  readonly name: string;
  readonly args: readonly string[];
  private readonly child: EddyProcess;
  private readonly parsed: LogLine[] = [];
  /** How much of stderr `parsed` covers (whole lines only). */
  private parsedTo = 0;

  constructor(name: string, args: readonly string[]) {
    this.name = name;
    this.args = args;
    this.child = startEddy(args);
  }

  get running(): boolean {
    return this.child.running;
  }

  get exited(): Promise<EddyExit> {
    return this.child.exited;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Waits for the exit; SIGKILLs the process (and rejects) after `timeoutMs`. */
  exit(timeoutMs: number): Promise<EddyExit> {
    return this.child.exit(timeoutMs);
  }

  /** Every JSON log line so far (other stderr lines are left out); parsed once, as they arrive. */
  logs(): readonly LogLine[] {
    const text = this.child.errorOutput;
    const end = text.lastIndexOf('\n') + 1;
    if (end > this.parsedTo) {
      for (const line of text.slice(this.parsedTo, end).split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          this.parsed.push(JSON.parse(line) as LogLine);
        } catch {
          this.parsed.push({ level: 50, time: Date.now(), msg: `(not JSON) ${line}` });
        }
      }
      this.parsedTo = end;
    }
    return this.parsed;
  }

  logged(msg: string): boolean {
    return this.logs().some((line) => line.msg === msg);
  }

  /** The latest task assignment this process logged, if any. */
  assignment(): Assignment | undefined {
    const line = this.logs()
      .filter((l) => l.generation !== undefined && l.tasks !== undefined && l.members !== undefined)
      .filter((l) => / here, generation /.test(l.msg))
      .at(-1);
    if (line === undefined) return undefined;
    return { generation: line.generation ?? -1, tasks: line.tasks ?? [], members: line.members ?? 0 };
  }

  /** The last `count` log lines, one short line each, and whatever else stderr holds (a crash). */
  tail(count: number): string {
    const raw = this.child.errorOutput.split('\n').filter((text) => text !== '' && !text.startsWith('{'));
    const lines = this.logs()
      .slice(-count)
      .map((l) => {
        const task = l.task === undefined ? '' : ` [task ${l.task}]`;
        const err = l.err?.message === undefined ? '' : `: ${l.err.message}`;
        return `  ${new Date(l.time).toISOString().slice(11, 23)} ${LEVELS[l.level] ?? l.level}${task} ${l.msg}${err}`;
      });
    return [...lines, ...raw.slice(-count).map((text) => `  ${text}`)].join('\n');
  }
}

/**
 * True when the processes named hold every task of `tasks` exactly once, all in one generation that
 * counts exactly them as members: the group settled on these processes.
 */
export function settledOn(processes: readonly ScaleOutProcess[], tasks: number): boolean {
  const assignments = processes.map((p) => p.assignment());
  const generation = assignments[0]?.generation;
  if (assignments.some((a) => a === undefined || a.generation !== generation)) return false;
  if (assignments.some((a) => a?.members !== processes.length)) return false;
  const held = assignments.flatMap((a) => a?.tasks ?? []).sort((x, y) => x - y);
  return held.length === tasks && held.every((task, i) => task === i);
}

/** Every process's assignment and log tail, for failure messages. */
export function describeProcesses(processes: readonly ScaleOutProcess[], count = 25): string {
  return processes
    .map((p) => {
      const a = p.assignment();
      const held =
        a === undefined
          ? 'no assignment'
          : `tasks ${a.tasks.join(',')} (gen ${a.generation}, ${a.members} members)`;
      return `--- process ${p.name} (${p.running ? 'running' : 'exited'}, ${held}):\n${p.tail(count)}`;
    })
    .join('\n');
}

/** Polls until `ready` holds; false when `timeoutMs` passed first (the caller's assertion says what). */
export async function until(ready: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
