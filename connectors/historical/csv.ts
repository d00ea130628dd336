/** One record of a CSV file: its fields, the line it starts on and its text as written. */
export interface CsvRow {
  line: number;
  fields: string[];
  text: string;
}

/** Fields of one record (RFC 4180: quotes around fields, "" for a quote inside); undefined while a quote is open. */
function splitRecord(text: string, delimiter: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field.length === 0) quoted = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** Records that never close their quote run on at most this many lines before they are cut. */
const maxLinesPerRecord = 1_000;

/**
 * CSV records from text lines; a quoted field may span lines. Blank lines are skipped. A quote
 * left open for `maxLinesPerRecord` lines (or to the end of the file) yields the text as one
 * field so that the reader reports it rather than swallowing the rest of the file.
 */
export async function* csvRows(lines: AsyncIterable<string>, delimiter = ','): AsyncGenerator<CsvRow> {
  let lineNumber = 0;
  let pending: { line: number; parts: string[] } | undefined;
  for await (const line of lines) {
    lineNumber++;
    if (pending === undefined) {
      if (line.trim().length === 0) continue;
      pending = { line: lineNumber, parts: [line] };
    } else pending.parts.push(line);
    const text = pending.parts.join('\n');
    const fields = splitRecord(text, delimiter);
    if (fields !== undefined || pending.parts.length >= maxLinesPerRecord) {
      yield { line: pending.line, fields: fields ?? [text], text };
      pending = undefined;
    }
  }
  if (pending !== undefined) {
    const text = pending.parts.join('\n');
    yield { line: pending.line, fields: [text], text };
  }
}

/** Header names as written, trimmed, with a byte-order mark removed. */
export function headerNames(row: CsvRow): string[] {
  return row.fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, '') : f).trim());
}
