import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { timescaleSink } from '../../../../sinks/timescale/index.js';

describe('timescale sink config', () => {
  it('has defaults for everything', () => {
    expect(timescaleSink.configSchema.parse({})).toEqual({
      schema: 'public',
      migrate: true,
      timescale: 'auto',
      compressAfter: '7 days',
      retention: '2 years',
      rowsPerStatement: 1_000,
      copy: true,
      maxStatementBytes: null,
    });
  });

  it('accepts null policies and explicit caps', () => {
    const config = timescaleSink.configSchema.parse({
      compressAfter: null,
      retention: '90 days',
      maxStatementBytes: 65_536,
    });
    expect(config).toMatchObject({ compressAfter: null, retention: '90 days', maxStatementBytes: 65_536 });
  });

  it('reports every problem with its path and rejects unknown keys', () => {
    const parsed = timescaleSink.configSchema.safeParse({
      schema: 'Odds; DROP',
      retention: 'forever',
      rowsPerStatment: 10,
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error!.issues.map((i) => (i.path.length ? i.path.join('.') : i.code));
    expect(paths.sort()).toEqual(['retention', 'schema', 'unrecognized_keys']);
  });

  it('appends by COPY unless ODDSFLOW_DB_COPY is off', () => {
    const { shape, configFrom } = timescaleSink.settings;
    const settingsOf = (env: Record<string, string>) =>
      timescaleSink.configSchema.parse(configFrom(z.object(shape).parse(env)));
    expect(settingsOf({}).copy).toBe(true);
    expect(settingsOf({ ODDSFLOW_DB_COPY: 'off' }).copy).toBe(false);
    expect(z.object(shape).safeParse({ ODDSFLOW_DB_COPY: 'no' }).success).toBe(false);
  });
});
