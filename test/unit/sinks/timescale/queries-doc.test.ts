import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { queries } from '../../../../sinks/timescale/queries.js';

const doc = readFileSync(fileURLToPath(new URL('../../../../docs/queries.md', import.meta.url)), 'utf8');

describe('docs/queries.md', () => {
  it.each(Object.entries(queries))('quotes %s verbatim, with its title and parameters', (_, query) => {
    expect(doc).toContain(`### ${query.title}\n`);
    expect(doc).toContain('```sql\n' + query.sql + '\n```');
    for (const [i, param] of query.params.entries()) expect(doc).toContain(`\`$${i + 1}\` ${param}`);
  });

  it('holds no other SQL block than the quoted queries', () => {
    const blocks = doc.match(/```sql\n/g) ?? [];
    expect(blocks).toHaveLength(Object.keys(queries).length);
  });
});
