import { z } from 'zod';

const scale = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration on the command line: `5m`, `1h`, `2d`, `30s`, or milliseconds; as milliseconds. */
export const durationOption = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)?$/, 'a duration such as 5m, 1h, 2d or 300000 (ms)')
  .transform((text) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h|d)?$/.exec(text)!;
    return Number(n) * scale[(unit ?? 'ms') as keyof typeof scale];
  });
