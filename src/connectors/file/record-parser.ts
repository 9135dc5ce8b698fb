import type { RawBadRecord } from '../../engine/source.ts';
import { parseCsvRecord } from './csv.ts';
import type { Line } from './line-cursor.ts';

export type FileFormat = 'lines' | 'jsonl' | 'csv';

export interface CsvOptions {
  /** First record names the columns and rows become objects (default); false gives string arrays. */
  readonly header?: boolean;
  readonly delimiter?: string;
}

/**
 * Turns the lines of one file into elements (or bad records) for its format. One parser per file: a
 * CSV header and a CSV record that spans lines belong to their file.
 */
export class RecordParser {
  private readonly format: FileFormat;
  private readonly file: string;
  private readonly header: boolean;
  private readonly delimiter: string;
  private columns: string[] | undefined;
  /** A CSV record whose quoted field continues on the next line. */
  private open: { text: string; bytes: Buffer[]; line: number } | undefined;

  /** `columns`: the header of the file, when resuming after it. */
  constructor(file: string, format: FileFormat, csv: CsvOptions = {}, columns?: string[]) {
    this.file = file;
    this.format = format;
    this.header = csv.header ?? true;
    this.delimiter = csv.delimiter ?? ',';
    this.columns = columns;
  }

  /** The CSV header read so far, if any. */
  get columnNames(): string[] | undefined {
    return this.columns;
  }

  /**
   * Lines (and their bytes, line breaks included) that belong to a CSV record still open: a position to
   * resume from must be before them.
   */
  get unfinished(): { bytes: number; lines: number } {
    const open = this.open;
    if (open === undefined) return { bytes: 0, lines: 0 };
    const bytes = open.bytes.reduce((n, b) => n + b.length, 0) + 1;
    return { bytes, lines: (open.bytes.length + 1) / 2 };
  }

  push(line: Line, values: unknown[], bad: RawBadRecord[]): void {
    const text = trimCarriageReturn(line.bytes.toString('utf8'));
    if (this.format === 'lines') {
      values.push(text);
    } else if (this.format === 'jsonl') {
      if (text.trim() === '') return;
      try {
        values.push(JSON.parse(text));
      } catch (error) {
        bad.push(this.bad(`invalid JSON: ${(error as Error).message}`, line.bytes, line.number));
      }
    } else {
      this.pushCsv(text, line, values, bad);
    }
  }

  /** The file has ended: a CSV record still open is malformed. */
  finish(bad: RawBadRecord[]): void {
    if (this.open === undefined) return;
    bad.push(
      this.bad(
        'unterminated quoted field at the end of the file',
        Buffer.concat(this.open.bytes),
        this.open.line,
      ),
    );
    this.open = undefined;
  }

  private pushCsv(text: string, line: Line, values: unknown[], bad: RawBadRecord[]): void {
    const record = this.open === undefined ? { text, bytes: [line.bytes], line: line.number } : this.open;
    if (this.open !== undefined) {
      record.text += `\n${text}`;
      record.bytes.push(Buffer.from('\n'), line.bytes);
    } else if (text === '') {
      return;
    }
    const parsed = parseCsvRecord(record.text, this.delimiter);
    if (parsed.kind === 'incomplete') {
      this.open = record;
      return;
    }
    this.open = undefined;
    const bytes = record.bytes.length === 1 ? record.bytes[0] : Buffer.concat(record.bytes);
    if (parsed.kind === 'error') {
      bad.push(this.bad(`malformed CSV: ${parsed.error}`, bytes, record.line));
    } else if (!this.header) {
      values.push(parsed.fields);
    } else if (this.columns === undefined) {
      this.columns = parsed.fields;
    } else if (parsed.fields.length !== this.columns.length) {
      const error = `malformed CSV: ${parsed.fields.length} fields where the header has ${this.columns.length}`;
      bad.push(this.bad(error, bytes, record.line));
    } else {
      const row: Record<string, string> = {};
      this.columns.forEach((name, i) => {
        row[name] = parsed.fields[i];
      });
      values.push(row);
    }
  }

  private bad(error: string, bytes: Buffer, line: number): RawBadRecord {
    return {
      error: `${error} (${this.file}, line ${line})`,
      value: new Uint8Array(bytes),
      key: null,
      origin: { file: this.file, line },
      timestamp: Number.NaN,
    };
  }
}

function trimCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
