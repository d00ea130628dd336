import type { RecordChunk, RecordingFormat } from '../contract.js';
import { withFileLine } from '../historical/failure-at-line.js';
import { recordingReceivedAt } from '../historical/recording-time.js';
import type { FieldMapping } from './field-mapping.js';
import { parseFrame } from './parse.js';

export interface WsJsonFileOptions {
  receivedAt: number;
  mapping: FieldMapping;
  provider?: string;
}

/** One frame per line, as a WebSocket feed sends them; blank lines are skipped. */
export function* readWsJsonFile(text: string, options: WsJsonFileOptions): Generator<RecordChunk> {
  const lines = text.split(/\r?\n/);
  const parse = (line: string, receivedAt: number) =>
    parseFrame(line, options.mapping, { provider: options.provider ?? 'ws-json', receivedAt });
  // First pass: the frames' own times, to know when the recording was made (recordingReceivedAt).
  const stamped = lines.flatMap((line) => {
    const outcome = line.trim().length === 0 ? undefined : parse(line, Number.NaN);
    return outcome?.kind === 'books' ? outcome.books.map((b) => b.eventTime) : [];
  });
  const receivedAt = recordingReceivedAt(stamped, options.receivedAt);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim().length === 0) continue;
    const outcome = parse(line, receivedAt);
    if (outcome.kind === 'books') yield { position: i + 1, books: outcome.books, results: [], failures: [] };
    else if (outcome.kind === 'failure')
      yield { position: i + 1, books: [], results: [], failures: [outcome.failure] };
  }
}

/**
 * Recorded frames, one per line, read through a field mapping (`--mapping`). Any JSON line could
 * be a frame, so it is told only after every other format, and only when a mapping is given.
 */
export const wsJsonRecordingFormat: RecordingFormat = {
  name: 'ws-json',
  fallback: true,
  recognises: ({ first, options }) =>
    options.wsMapping !== undefined && first?.trimStart().startsWith('{') === true,
  async *read(lines, { file, from, fallbackTime, options }) {
    if (options.wsMapping === undefined) throw new Error('ws-json needs a field mapping (--mapping)');
    // readWsJsonFile works on text; frames are read per line so memory stays at one line.
    let n = 0;
    for await (const text of lines) {
      n++;
      if (n < from || text.trim() === '') continue;
      for (const c of readWsJsonFile(text, {
        receivedAt: fallbackTime,
        mapping: options.wsMapping,
        provider: options.provider ?? 'ws-json',
      }))
        yield {
          ...c,
          position: n,
          books: c.books.map((b) => ({ ...b, receivedAt: b.eventTime })),
          failures: c.failures.map((f) => withFileLine(f, file, n)),
        };
    }
  },
};
