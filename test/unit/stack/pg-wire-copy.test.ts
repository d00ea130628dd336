import { describe, expect, it } from 'vitest';
import {
  clientPosition,
  matchCopyFromStdin,
  mentionsCopyFromStdin,
} from '../../../stack/pg-wire/copy-from-stdin.js';

describe('matchCopyFromStdin', () => {
  it.each([
    ['COPY t FROM STDIN', `COPY t FROM '/dev/blob'`, false, 0],
    ['copy t from stdin;', `copy t from '/dev/blob';`, false, 0],
    [
      '  COPY public.kv (k, v) FROM stdin WITH (FORMAT csv)',
      `  COPY public.kv (k, v) FROM '/dev/blob' WITH (FORMAT csv)`,
      false,
      2,
    ],
    [
      'COPY "My Schema"."t;x" ("a b") FROM STDIN (FORMAT binary)',
      `COPY "My Schema"."t;x" ("a b") FROM '/dev/blob' (FORMAT binary)`,
      true,
      1,
    ],
    [`COPY t FROM STDIN WITH (FORMAT 'binary')`, `COPY t FROM '/dev/blob' WITH (FORMAT 'binary')`, true, 0],
    ['COPY t FROM STDIN WITH BINARY', `COPY t FROM '/dev/blob' WITH BINARY`, true, 0],
    ['COPY BINARY t FROM STDIN', `COPY BINARY t FROM '/dev/blob'`, true, 0],
    // psql's \copy … from 'file' csv header
    ['COPY  kv FROM STDIN  csv header', `COPY  kv FROM '/dev/blob'  csv header`, false, 0],
    [
      `/* load */ COPY t FROM STDIN WITH (FORMAT csv, DELIMITER ';', QUOTE '"', NULL E'\\\\N;') -- done`,
      `/* load */ COPY t FROM '/dev/blob' WITH (FORMAT csv, DELIMITER ';', QUOTE '"', NULL E'\\\\N;') -- done`,
      false,
      0,
    ],
    [
      `COPY t FROM STDIN WHERE "binary" = 'binary'`,
      `COPY t FROM '/dev/blob' WHERE "binary" = 'binary'`,
      false,
      0,
    ],
  ])('serves %j', (sql, blobSql, binary, columns) => {
    expect(matchCopyFromStdin(sql)).toMatchObject({ blobSql, binary, columns });
  });

  it.each([
    'COPY t TO STDOUT',
    `COPY t FROM '/tmp/file'`,
    'COPY t FROM "stdin"',
    'COPY (SELECT 1) TO STDOUT',
    'COPY t FROM PROGRAM $$cat stdin$$',
    `SELECT 'COPY t FROM STDIN'`,
    '-- COPY t FROM STDIN\nSELECT 1',
    'BEGIN; COPY t FROM STDIN',
    'COPY t FROM STDIN; SELECT 1',
    `COPY t FROM STDIN WITH (DELIMITER ';') ; COMMIT`,
    `COPY t FROM STDIN WITH (NULL 'unterminated`,
    'COPY t (a, FROM STDIN',
  ])('leaves %j alone', (sql) => {
    expect(matchCopyFromStdin(sql)).toBeUndefined();
  });

  it('maps an error position in the /dev/blob statement back to the client text', () => {
    // PostgreSQL counts positions in characters (1-based): "𝒯" is one, two UTF-16 units, four bytes.
    const charPosition = (text: string, part: string) => [...text.slice(0, text.indexOf(part))].length + 1;
    const sql = `COPY "𝒯" FROM STDIN WHERE nope > 1`;
    const copy = matchCopyFromStdin(sql)!;
    expect(clientPosition(copy, charPosition(copy.blobSql, 'nope'))).toBe(charPosition(sql, 'nope'));
    expect(clientPosition(copy, 6)).toBe(6); // before STDIN: unchanged
    expect(clientPosition(copy, copy.stdinAt + 3)).toBe(copy.stdinAt + 1); // inside '/dev/blob'
  });
});

describe('mentionsCopyFromStdin', () => {
  it.each([
    ['BEGIN; COPY t FROM STDIN; COMMIT', true],
    ['select 1; copy t (a) from stdin csv', true],
    ['COPY t FROM STDIN', true],
    ['COPY t TO STDOUT; SELECT 1', false],
    [`SELECT 'copy t from stdin'; SELECT $x$COPY t FROM STDIN$x$`, false],
    ['/* COPY t FROM STDIN; */ SELECT 1', false],
    // Unreadable to the lexer (backslash escapes as with standard_conforming_strings off): words decide.
    [`SELECT 'it\\'s'; COPY t FROM STDIN`, true],
    [`SELECT 'unterminated`, false],
  ])('%j → %s', (sql, expected) => {
    expect(mentionsCopyFromStdin(sql)).toBe(expected);
  });
});
