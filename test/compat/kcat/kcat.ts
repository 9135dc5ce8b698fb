// Runs kcat (Debian's, on librdkafka) as a child process with a timeout, for the compat tests; and
// kcat -G as a consumer-group member of the group scenarios.
import { execFileSync } from 'node:child_process';
import type { TestBroker } from '../../support/broker.ts';
import { type Finished, run } from '../support/child-process.ts';
import type { ScenarioMember } from '../support/group-scenario.ts';
import { type LineParser, startProcessMember } from '../support/process-member.ts';

/** Why kcat tests cannot run here, or null when kcat is installed. */
export function kcatMissing(): string | null {
  try {
    execFileSync('kcat', ['-V'], { stdio: 'ignore', timeout: 5_000 });
    return null;
  } catch {
    return 'kcat is not installed (Debian package "kcat"); install it to run the librdkafka compatibility tests';
  }
}

export type RunResult = Finished;

/** Runs `kcat args`, feeding `input` on stdin; kills it after `timeoutMs`. */
export function kcat(args: string[], input = '', timeoutMs = 15_000): Promise<RunResult> {
  return run('kcat', args, {}, timeoutMs, input);
}

export async function kcatOk(args: string[], input = '', timeoutMs = 15_000): Promise<string> {
  const result = await kcat(args, input, timeoutMs);
  if (result.code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/**
 * kcat reports rebalances on stderr, eagerly as `% Group g rebalanced (memberid m): assigned: t [0], t [1]`
 * and cooperatively as `% Group g rebalanced: incremental assignment of 2 partition(s) (memberid m,
 * COOPERATIVE rebalance protocol): t [0], t [1]` (or `incremental revoke of`).
 */
const rebalance: LineParser = (line) => {
  const eager = /^% Group \S+ rebalanced \(memberid (\S+)\): (assigned|revoked): (.*)$/.exec(line);
  const cooperative =
    /^% Group \S+ rebalanced: incremental (assignment|revoke) of \d+ partition\(s\) \(memberid ([^,]+), [^)]*\): ?(.*)$/.exec(
      line,
    );
  if (eager === null && cooperative === null) return null;
  const list = (eager?.[3] ?? cooperative?.[3]) as string;
  const partitions = [...list.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  if (eager !== null) {
    return eager[2] === 'revoked'
      ? { event: 'revoked' }
      : { event: 'assigned', partitions, memberId: eager[1] };
  }
  const [, kind, memberId] = cooperative as RegExpExecArray;
  return kind === 'revoke'
    ? { event: 'revoked', partitions }
    : { event: 'assigned', partitions, memberId, incremental: true };
};

/** kcat -J prints one JSON object per record on stdout (-u: unbuffered, so it arrives at once). */
const record: LineParser = (line) => {
  if (!line.startsWith('{')) return null;
  const r = JSON.parse(line) as { partition: number; offset: number; payload: string | null };
  return { event: 'record', partition: r.partition, offset: r.offset, value: r.payload };
};

/**
 * Starts `kcat -G group topic` as a member of a group scenario; `extra` adds arguments (e.g. `-X`
 * settings). It commits what it printed when partitions are revoked, when it leaves, and on
 * librdkafka's 5 s auto-commit timer: kcat's -X sets `auto.commit.interval.ms` on the (legacy) topic
 * config first, so the timer cannot be shortened from the command line.
 */
export function startKcatMember(
  name: string,
  broker: TestBroker,
  group: string,
  topic: string,
  extra: readonly string[] = [],
): ScenarioMember {
  return startProcessMember(name, {
    command: 'kcat',
    args: [
      ...['-b', broker.bootstrap, '-G', group, '-J', '-u', '-X', 'auto.offset.reset=earliest'],
      ...['-X', 'heartbeat.interval.ms=200'],
      ...extra,
      topic,
    ],
    stdout: record,
    stderr: rebalance,
  });
}
