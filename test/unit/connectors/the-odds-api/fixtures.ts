import { readFileSync } from 'node:fs';

/** A file of test/fixtures/the-odds-api as text. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../../../fixtures/the-odds-api/${name}`, import.meta.url), 'utf8');
}
