import { z } from 'zod';
import { issue, type Issue } from './issues.js';

const DAY_MS = 86_400_000;

/**
 * How far a book's start time may lie from the book's own provider timestamp (`eventTime`).
 * Judged against `eventTime`, never the wall clock: recorded books from 2021–2024 replayed today
 * are as valid as they were then. The defaults let in futures (MLB World Series winner books are
 * quoted ~320 days ahead in the recordings) and in-play books of a five-day test match.
 */
export const startTimeWindowSchema = z
  .object({
    maxAheadMs: z
      .number()
      .int()
      .nonnegative()
      .default(400 * DAY_MS),
    maxAfterStartMs: z
      .number()
      .int()
      .nonnegative()
      .default(7 * DAY_MS),
  })
  .strict();

export type StartTimeWindow = z.output<typeof startTimeWindowSchema>;

export const defaultStartTimeWindow: StartTimeWindow = startTimeWindowSchema.parse({});

export function checkStartTime(
  startTime: number | null,
  eventTime: number,
  window: StartTimeWindow,
  path = 'startTime',
): Issue[] {
  if (startTime === null) return [];
  const ahead = startTime - eventTime;
  if (ahead <= window.maxAheadMs && -ahead <= window.maxAfterStartMs) return [];
  const start = new Date(startTime).toISOString();
  const at = new Date(eventTime).toISOString();
  return [
    issue(
      path,
      'START_TIME_OUT_OF_WINDOW',
      `start ${start} is outside [-${window.maxAfterStartMs} ms, +${window.maxAheadMs} ms] of the book's time ${at}`,
    ),
  ];
}
