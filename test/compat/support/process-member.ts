// A consumer-group member run as a child process (a Python script, kcat), for the group scenario.
import { LineProcess } from './child-process.ts';
import type { ConsumedRecord, Join, ScenarioMember } from './group-scenario.ts';

/** What a member process reports, one event per line. */
export type MemberEvent =
  /** `incremental`: the partitions are added to what the member owns (cooperative rebalancing). */
  | { event: 'assigned'; partitions: number[]; memberId?: string; incremental?: boolean }
  /** Without `partitions`, everything is revoked (eager rebalancing). */
  | { event: 'revoked'; partitions?: number[] }
  | { event: 'record'; partition: number; offset: number; value: string | null };

/** Turns one output line into an event, or null for lines that are not events. */
export type LineParser = (line: string) => MemberEvent | null;

/** Parses lines that are JSON `MemberEvent`s (the Python member scripts print these). */
export const jsonEvent: LineParser = (line) => {
  if (!line.startsWith('{')) return null;
  const event = JSON.parse(line) as MemberEvent;
  return typeof event.event === 'string' ? event : null;
};

/** How to run a member: the command and how to read its stdout and stderr. */
export interface ProcessMemberSpec {
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  stdout?: LineParser;
  stderr?: LineParser;
}

/**
 * Starts a member process and tracks, from its events, what it owns and what it consumed.
 *
 * @example
 * startProcessMember('a', { command: python, args: [script], env, stdout: jsonEvent });
 */
export function startProcessMember(name: string, spec: ProcessMemberSpec): ScenarioMember {
  let assigned: number[] | null = null;
  let memberId: string | null = null;
  const consumed: ConsumedRecord[] = [];
  const joins: Join[] = [];
  const apply = (parse: LineParser | undefined) => (line: string) => {
    const event = parse?.(line);
    if (event === null || event === undefined) return;
    if (event.event === 'assigned') {
      const owned = event.incremental ? [...(assigned ?? []), ...event.partitions] : event.partitions;
      assigned = [...new Set(owned)].sort((x, y) => x - y);
      memberId = event.memberId ?? null;
      joins.push({ memberId, partitions: assigned });
    } else if (event.event === 'revoked') {
      const gone = new Set(event.partitions ?? assigned ?? []);
      assigned = (assigned ?? []).filter((p) => !gone.has(p));
    } else if (event.event === 'record') {
      consumed.push({ partition: event.partition, offset: event.offset, value: event.value ?? '' });
    }
  };
  const child = new LineProcess(spec.command, spec.args, spec.env ?? {}, {
    stdout: apply(spec.stdout),
    stderr: apply(spec.stderr),
  });
  let stopping = false;
  // A member that dies on its own would otherwise show up only as a timeout: say why it died.
  void child.exited.then((code) => {
    if (!stopping)
      console.error(`member ${name} (${spec.command}) exited ${code} on its own:\n${child.stderr}`);
  });
  return {
    name,
    get assigned() {
      return assigned;
    },
    get memberId() {
      return memberId;
    },
    consumed,
    joins,
    async stop() {
      stopping = true;
      const code = await child.stop();
      if (code !== 0) throw new Error(`member ${name} exited ${code}:\n${child.stderr}`);
    },
    kill() {
      stopping = true;
      child.kill();
    },
  };
}
