/**
 * Where a file source stands in one file (the `position` of its SplitPosition): after `line` lines
 * ending at byte `offset`, with the CSV header when it was read; or `ended` when the file was read to
 * its end (or vanished while watched).
 */
export interface FilePosition {
  readonly kind: 'file';
  readonly file: string;
  readonly offset?: number;
  readonly line?: number;
  readonly columns?: string[];
  readonly ended?: boolean;
}

export function isFilePosition(value: unknown): value is FilePosition {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return p.kind === 'file' && typeof p.file === 'string';
}
