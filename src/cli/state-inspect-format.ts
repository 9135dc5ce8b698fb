import type { SnapshotInspection, StateEntryView } from '../job/snapshot-inspect.ts';

/**
 * Rows as columns padded to their widest cell, two spaces apart; the last column is not padded.
 *
 * @example
 * formatTable([['UID', 'KEYS'], ['totals', '3']], '  ') // '  UID     KEYS\n  totals  3\n'
 */
export function formatTable(rows: readonly (readonly string[])[], indent = ''): string {
  const widths: number[] = [];
  for (const row of rows)
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows
    .map((row) =>
      `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`.trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * JSON for values structured clone keeps but JSON does not: Maps as objects of their entries (or
 * pairs), Sets as arrays, bigints as strings, undefined as null, Dates as ISO text.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Map) return { $map: [...item] };
    if (item instanceof Set) return [...item];
    if (typeof item === 'bigint') return item.toString();
    if (item === undefined) return null;
    return item;
  });
}

const time = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());

/** What `eddy state inspect <path>` prints: the manifest, an operator table, then each operator's state. */
export function formatInspection(report: SnapshotInspection): string {
  const m = report.manifest;
  let out = `${m.kind} ${m.checkpointId} of job ${m.jobId} (${m.jobName}): ${m.state}\n`;
  out += formatTable([
    ['  path', report.dir],
    ['  triggered', time(m.triggeredAt)],
    ['  completed', time(m.completedAt)],
    ['  max parallelism', String(m.maxParallelism)],
  ]);
  out += '\n';
  out += formatTable([
    ['UID', 'KIND', 'NAME', 'PARALLELISM', 'KEYS', 'TIMERS', 'FILE BYTES'],
    ...report.operators.map((op) => [
      op.uid,
      op.kind,
      op.name,
      String(op.parallelism),
      String(Math.max(0, ...op.states.map((s) => s.keys))),
      String(op.timers),
      String(op.fileBytes),
    ]),
  ]);
  for (const op of report.operators) {
    const details: string[] = [];
    if (op.states.length > 0)
      details.push(
        formatTable(
          [
            ['STATE', 'KIND', 'KEYS', 'ENTRIES', 'BYTES'],
            ...op.states.map((s) => [s.name, s.kind, String(s.keys), String(s.entries), String(s.bytes)]),
          ],
          '  ',
        ),
      );
    if (op.operatorStates.length > 0)
      details.push(
        formatTable(
          [
            ['LIST STATE', 'MODE', 'ITEMS'],
            ...op.operatorStates.map((s) => [s.name, s.mode, String(s.items)]),
          ],
          '  ',
        ),
      );
    if (op.positions.length > 0)
      details.push(
        formatTable([['SPLIT', 'POSITION'], ...op.positions.map((p) => [p.split, toJson(p.position)])], '  '),
      );
    const notes: string[] = [];
    if (op.prepared > 0) notes.push(`${op.prepared} subtask(s) with a prepared commit`);
    if (op.finishedSubtasks > 0) notes.push(`${op.finishedSubtasks} subtask(s) had finished`);
    if (notes.length > 0) details.push(`  ${notes.join('; ')}\n`);
    if (details.length > 0) out += `\n${op.uid} (${op.kind} "${op.name}")\n${details.join('')}`;
  }
  return out;
}

/** What `eddy state inspect --operator --state` prints: one row per entry, values as JSON. */
export function formatEntries(
  operator: string,
  state: string,
  result: { entries: readonly StateEntryView[]; total: number },
): string {
  const rows = result.entries.map((e) => [
    toJson(e.key),
    e.namespace === '' ? '-' : e.namespace,
    toJson(e.value),
  ]);
  const shown =
    result.entries.length < result.total ? `${result.entries.length} of ${result.total}` : `${result.total}`;
  return `${operator} / ${state}: ${shown} entries\n${formatTable([['KEY', 'NAMESPACE', 'VALUE'], ...rows])}`;
}
