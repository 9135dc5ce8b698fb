// CPU time of processes from Linux's /proc, to show how the two cores were shared between the broker
// and the client during a run. Elsewhere (no /proc) every figure is NaN and the bench prints it so.
import { readFileSync } from 'node:fs';

// USER_HZ: the unit of /proc/<pid>/stat times. 100 on every mainstream Linux build.
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds used so far by process `pid`. */
export function processCpuSeconds(pid: number): number {
  const fields = statFields(`/proc/${pid}/stat`);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : Number.NaN;
}

/**
 * User + system CPU seconds of this process's children that have exited and been waited for (what
 * a spawnSync'ed client used, once it returned).
 */
export function exitedChildrenCpuSeconds(): number {
  const fields = statFields('/proc/self/stat');
  return fields ? (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND : Number.NaN;
}

/** The fields after `pid (comm)`, so index 0 is `state` (field 3 in proc(5)). */
function statFields(path: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // comm may contain spaces and parentheses; it ends at the last ')'.
  return text
    .slice(text.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
}
