import type { RecordingFormat } from '../contract.js';
import { headerNames } from '../historical/csv.js';
import { withFileLine } from '../historical/failure-at-line.js';
import { readlineLines } from '../historical/lines.js';
import { isBspFile, readBspCsv } from './bsp-file.js';
import { processStreamLines } from './stream-file.js';

/**
 * Stream messages, one per line: Betfair's historical data (PRO/ADVANCED/BASIC) and recordings of
 * the live stream, replayed through the live connector's processor. Told by a first line that is
 * an `op` message; an empty file with no other format's suffix is one too (it reads as nothing).
 */
export const betfairStreamFormat: RecordingFormat = {
  name: 'betfair-stream',
  recognises: ({ first }) =>
    first === undefined || /^\s*\{.*"op"\s*:\s*"(mcm|connection|status|heartbeat)"/.test(first),
  async *read(lines, { file, from }) {
    for await (const c of processStreamLines(readlineLines(lines), {
      fromLine: from,
      receivedAt: 'publishTime',
    }))
      yield {
        position: c.line,
        books: c.books,
        results: c.results,
        failures: c.failures.map((f) => withFileLine(f, file, c.line)),
      };
  },
};

/** Betfair's daily BSP CSVs (promo.betfair.com): told by their name or their columns. */
export const betfairBspFormat: RecordingFormat = {
  name: 'betfair-bsp',
  suffix: '.csv',
  recognises: ({ name, first }) =>
    isBspFile(
      name.split('/').pop() ?? '',
      first === undefined ? [] : headerNames({ line: 1, fields: first.split(','), text: first }),
    ),
  read: (lines, { file, from, report, options }) =>
    readBspCsv(lines, {
      file,
      from,
      timeZone: options.timeZone ?? 'Europe/London',
      sport: options.sport,
      report,
    }),
};
