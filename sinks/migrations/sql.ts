import { escapeIdentifier } from 'pg';
import { z } from 'zod';

/**
 * Schema names go into DDL as identifiers, which cannot be bind parameters: accepting only plain
 * lower-case identifiers keeps them safe to quote and means no case-folding surprises in psql.
 */
export const schemaNameSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier (letters, digits, underscores)');

/** A PostgreSQL interval such as "7 days" or "2 years"; sent as a bind parameter, never spliced. */
export const intervalSchema = z
  .string()
  .regex(
    /^\d+ (second|minute|hour|day|week|month|year)s?$/,
    'expected an interval such as "7 days" or "2 years"',
  );

/** `"schema"."table"`, for SQL text. */
export function qualified(schema: string, table: string): string {
  return `${escapeIdentifier(schema)}.${escapeIdentifier(table)}`;
}
