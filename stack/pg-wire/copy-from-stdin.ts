/**
 * Recognising `COPY … FROM STDIN` in a query's text, for the wire server to serve it itself.
 *
 * PGlite cannot run COPY FROM STDIN: the backend reading copy data from the client hits an
 * `unreachable` in its wasm, and every later call fails the same way (the database is lost until
 * a restart). It can run `COPY … FROM '/dev/blob'` with the data handed over as a Blob, so the wire
 * server answers the client's copy-in itself and runs the statement with only its `STDIN` replaced.
 *
 * Only a whole token sequence counts (`COPY [BINARY] name [(columns)] FROM STDIN …` and nothing
 * else in the query): strings, quoted identifiers, dollar quotes and comments are skipped as the
 * PostgreSQL lexer would, so a `'…FROM STDIN…'` inside a literal, `COPY … TO STDOUT` or a COPY
 * among other statements does not match.
 */

/** Where PGlite reads a query's Blob from (its own device, registered at start). */
export const DEV_BLOB = `'/dev/blob'`;

export interface CopyFromStdin {
  /** The statement with `STDIN` replaced by `'/dev/blob'`. */
  blobSql: string;
  /** FORMAT binary (or the older BINARY keyword): the CopyInResponse says so, and psql then sends the file as is. */
  binary: boolean;
  /** Columns of the statement's column list; 0 without one (clients do not use the count). */
  columns: number;
  /** Characters (code points) before `STDIN` in the client's text, to map error positions back. */
  stdinAt: number;
}

interface Token {
  kind: 'word' | 'quoted' | 'string' | 'other';
  /** Lower case for a word, the unescaped content for quoted identifiers and strings. */
  text: string;
  start: number;
  end: number;
}

/** The statement, if the query is exactly one `COPY … FROM STDIN` (empty statements aside). */
export function matchCopyFromStdin(sql: string): CopyFromStdin | undefined {
  if (!/stdin/i.test(sql)) return undefined; // most queries: no need to tokenize
  const statements = statementsOf(sql);
  if (statements?.length !== 1) return undefined;
  const copy = parseCopyFrom(statements[0]!);
  if (!copy) return undefined;
  const { stdin } = copy;
  return {
    blobSql: sql.slice(0, stdin.start) + DEV_BLOB + sql.slice(stdin.end),
    binary: copy.binary,
    columns: copy.columns,
    stdinAt: codePoints(sql.slice(0, stdin.start)),
  };
}

/**
 * Whether any statement of the query may be a COPY FROM STDIN: a COPY with the words FROM STDIN
 * in it. Looser than matchCopyFromStdin on purpose: what it finds and the server does not serve
 * must not reach PGlite, where it would break the database for everyone.
 */
export function mentionsCopyFromStdin(sql: string): boolean {
  if (!/stdin/i.test(sql)) return false;
  const statements = statementsOf(sql);
  // Unreadable to this lexer (an unterminated string or comment, or backslash escapes with
  // standard_conforming_strings off): the words alone decide, erring on the side of refusing.
  if (!statements) return /\bcopy\b[\s\S]*\bfrom\s+stdin\b/i.test(sql);
  return statements.some(
    (s) => isWord(s[0], 'copy') && s.some((t, i) => isWord(t, 'from') && isWord(s[i + 1], 'stdin')),
  );
}

/**
 * A position (1-based, in characters) from PGlite's error about the `'/dev/blob'` statement, as a
 * position in the client's own text.
 */
export function clientPosition(copy: CopyFromStdin, position: number): number {
  const stdinLength = 'stdin'.length;
  if (position <= copy.stdinAt) return position;
  if (position <= copy.stdinAt + DEV_BLOB.length) return copy.stdinAt + 1;
  return position - DEV_BLOB.length + stdinLength;
}

/** `COPY [BINARY] name[.name…] [(col, …)] FROM STDIN options…`, or undefined. */
function parseCopyFrom(tokens: Token[]): { stdin: Token; binary: boolean; columns: number } | undefined {
  let i = 0;
  if (!isWord(tokens[i++], 'copy')) return undefined;
  const oldBinary = isWord(tokens[i], 'binary');
  if (oldBinary) i++;
  if (!isName(tokens[i++])) return undefined;
  while (isOther(tokens[i], '.') && isName(tokens[i + 1])) i += 2;
  let columns = 0;
  if (isOther(tokens[i], '(')) {
    for (i++; ; i += 2) {
      if (!isName(tokens[i])) return undefined;
      columns++;
      if (isOther(tokens[i + 1], ')')) break;
      if (!isOther(tokens[i + 1], ',')) return undefined;
    }
    i += 2;
  }
  if (!isWord(tokens[i], 'from') || !isWord(tokens[i + 1], 'stdin')) return undefined;
  return { stdin: tokens[i + 1]!, binary: oldBinary || asksBinary(tokens.slice(i + 2)), columns };
}

/** The options ask for binary: `FORMAT binary` (quoted or not), or the older bare `BINARY`. */
function asksBinary(options: Token[]): boolean {
  for (let i = 0; i < options.length; i++) {
    const token = options[i]!;
    if (isWord(token, 'where')) return false; // a WHERE clause follows the options
    if (isWord(token, 'binary')) return true;
    const value = options[i + 1];
    if (isWord(token, 'format') && value && value.kind !== 'other' && value.text.toLowerCase() === 'binary')
      return true;
  }
  return false;
}

/** The query's statements (split at `;`, empty ones left out), or undefined if it cannot be lexed. */
function statementsOf(sql: string): Token[][] | undefined {
  const tokens = tokenize(sql);
  if (!tokens) return undefined;
  const statements: Token[][] = [[]];
  for (const token of tokens) {
    if (isOther(token, ';')) statements.push([]);
    else statements[statements.length - 1]!.push(token);
  }
  return statements.filter((s) => s.length > 0);
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/** PostgreSQL's lexical structure, as far as telling words from what is inside quotes or comments. */
function tokenize(sql: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const start = i;
    const tag = c === '$' ? dollarTagAt(sql, i) : undefined;
    if (/\s/.test(c)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const newline = sql.indexOf('\n', i);
      i = newline < 0 ? sql.length : newline + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = blockCommentEnd(sql, i);
      if (end < 0) return undefined;
      i = end;
    } else if (c === "'" || c === '"') {
      const escapes = c === "'" && /^e$/i.test(tokens.at(-1)?.end === i ? tokens.at(-1)!.text : '');
      const end = quotedEnd(sql, i, escapes);
      if (end < 0) return undefined;
      if (escapes) tokens.pop(); // the E of E'…' is part of the string
      tokens.push({ kind: c === '"' ? 'quoted' : 'string', text: unquote(sql.slice(i, end)), start, end });
      i = end;
    } else if (tag) {
      const close = sql.indexOf(tag, i + tag.length);
      if (close < 0) return undefined;
      i = close + tag.length;
      tokens.push({ kind: 'string', text: sql.slice(start + tag.length, close), start, end: i });
    } else if (WORD_START.test(c)) {
      while (i < sql.length && WORD_PART.test(sql[i]!)) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i).toLowerCase(), start, end: i });
    } else {
      i++;
      tokens.push({ kind: 'other', text: c, start, end: i });
    }
  }
  return tokens;
}

/** The `$tag$` (or `$$`) opening a dollar-quoted string at `at`, if there is one. */
function dollarTagAt(sql: string, at: number): string | undefined {
  DOLLAR_TAG.lastIndex = at;
  return DOLLAR_TAG.exec(sql)?.[0];
}

/** The index after a (nested, as in PostgreSQL) block comment starting at `from`, or -1. */
function blockCommentEnd(sql: string, from: number): number {
  let depth = 0;
  for (let i = from; i < sql.length - 1; i++) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i++;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** The index after the quoted string or identifier starting at `from` (a doubled quote is one), or -1. */
function quotedEnd(sql: string, from: number, backslashEscapes: boolean): number {
  const quote = sql[from]!;
  for (let i = from + 1; i < sql.length; i++) {
    if (backslashEscapes && sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return -1;
}

function unquote(quoted: string): string {
  const quote = quoted[0]!;
  return quoted.slice(1, -1).replaceAll(quote + quote, quote);
}

const isWord = (token: Token | undefined, word: string): boolean =>
  token?.kind === 'word' && token.text === word;
const isOther = (token: Token | undefined, char: string): boolean =>
  token?.kind === 'other' && token.text === char;
const isName = (token: Token | undefined): boolean => token?.kind === 'word' || token?.kind === 'quoted';

/** PostgreSQL counts error positions in characters; JavaScript strings count UTF-16 units. */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
