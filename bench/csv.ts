/**
 * One line of PostgreSQL CSV (`COPY … WITH (FORMAT csv)`): NULL is an empty unquoted field, so
 * every string is quoted (an empty string stays an empty string), with `"` doubled.
 * https://www.postgresql.org/docs/current/sql-copy.html#COPY-CSV-FORMAT
 */
export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',') + '\n';
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return `"${value.replaceAll('"', '""')}"`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString();
  throw new TypeError(`no CSV form for ${Object.prototype.toString.call(value)}`);
}
