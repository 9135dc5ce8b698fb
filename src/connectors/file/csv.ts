/**
 * CSV as in RFC 4180: fields separated by a delimiter, quoted with " when they contain the delimiter, a
 * quote or a line break, a quote inside a quoted field doubled. Parsing is strict so that malformed rows
 * become bad records instead of silently shifted columns.
 */

export type CsvParse =
  | { readonly kind: 'row'; readonly fields: string[] }
  /** A quoted field is still open: the record continues on the next line. */
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'error'; readonly error: string };

/**
 * Parses one record (which may contain line breaks inside quoted fields).
 *
 * @example parseCsvRecord('a,"b ""x""",c', ',') // { kind: 'row', fields: ['a', 'b "x"', 'c'] }
 */
export function parseCsvRecord(text: string, delimiter: string): CsvParse {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (text[at] === '"') {
      let value = '';
      let from = at + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) return { kind: 'incomplete' };
        value += text.slice(from, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          from = quote + 2;
          continue;
        }
        at = quote + 1;
        break;
      }
      fields.push(value);
      if (at === text.length) return { kind: 'row', fields };
      if (!text.startsWith(delimiter, at)) {
        return { kind: 'error', error: `unexpected text after the closing quote of field ${fields.length}` };
      }
      at += delimiter.length;
      continue;
    }
    const end = text.indexOf(delimiter, at);
    const value = end < 0 ? text.slice(at) : text.slice(at, end);
    if (value.includes('"')) {
      return { kind: 'error', error: `field ${fields.length + 1} contains a quote but is not quoted` };
    }
    fields.push(value);
    if (end < 0) return { kind: 'row', fields };
    at = end + delimiter.length;
  }
}

/**
 * One CSV line (without the line break), quoting fields that need it.
 *
 * @example formatCsvRow(['a', 'b,c', 'say "hi"'], ',') // 'a,"b,c","say ""hi"""'
 */
export function formatCsvRow(fields: readonly string[], delimiter: string): string {
  return fields
    .map((field) =>
      field.includes(delimiter) || /["\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field,
    )
    .join(delimiter);
}
