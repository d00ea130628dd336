import { z } from 'zod';

/** A time given on the command line: ISO 8601 or epoch milliseconds, as epoch milliseconds. */
export const timeOption = z.string().transform((s, ctx) => {
  const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `not a time: ${s} (ISO 8601 or epoch ms)` });
  return ms;
});
