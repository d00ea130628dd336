import type { RawMarketBook } from '../../src/core/generated/avro-types.js';

/**
 * What can be wrong with historical input besides a malformed record (which is dead-lettered
 * with its file and line): the input as a whole or the order of its records.
 */
export const problemCodes = {
  /** A compressed stream or archive that ends early: what came before it was read. */
  TRUNCATED: 'truncated',
  /** A file that cannot be read or decoded at all. */
  UNREADABLE: 'unreadable',
  /** A CSV file without a column its format needs: the file is skipped. */
  MISSING_COLUMNS: 'missing columns',
  /** A record older than the previous one of the same market, bookmaker and side: kept, reported. */
  OUT_OF_ORDER: 'out of order',
  /** A file whose format is neither given nor told by its name or first line: skipped. */
  UNKNOWN_FORMAT: 'unknown format',
  /** A line longer than --max-line-length: skipped unread (never buffered), the rest of the file read. */
  LINE_TOO_LONG: 'line too long',
} as const;

export type ProblemCode = keyof typeof problemCodes;

export interface InputProblem {
  /** The file, or `archive.tar/inner/name` for a file inside an archive. */
  file: string;
  /** 1-based line (or array element) where it was noticed; null when it concerns the whole file. */
  line: number | null;
  code: ProblemCode;
  message: string;
}

export type ProblemSink = (problem: InputProblem) => void;

/** A CSV without columns its format needs (named): the file is skipped. */
export function missingColumns(file: string, line: number, missing: readonly string[]): InputProblem {
  return {
    file,
    line,
    code: 'MISSING_COLUMNS',
    message: `no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}: the file is skipped`,
  };
}

/** A provider time for a message: ISO 8601 where it is a representable date, else the number. */
export function timeText(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

export function describeProblem(p: InputProblem): string {
  return `${p.file}${p.line === null ? '' : `:${p.line}`}: ${problemCodes[p.code]}: ${p.message}`;
}

/** Problems by code, with the first few of each kept for the report. */
export class ProblemTally {
  readonly counts: Partial<Record<ProblemCode, number>> = {};
  readonly examples: InputProblem[] = [];

  constructor(private readonly examplesPerCode = 5) {}

  add(problem: InputProblem): void {
    const n = (this.counts[problem.code] ?? 0) + 1;
    this.counts[problem.code] = n;
    if (n <= this.examplesPerCode) this.examples.push(problem);
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  summary(): string {
    return Object.entries(this.counts)
      .map(([code, n]) => `${n} ${problemCodes[code as ProblemCode]}`)
      .join(', ');
  }
}

/**
 * Notices records whose provider time goes backwards within one file, per market, bookmaker
 * and side (equal times are normal: Betfair sends several messages with one `pt`).
 */
export class OrderCheck {
  private readonly latest = new Map<string, number>();

  /** The first book of `books` that is older than its predecessor, if any. */
  late(books: readonly RawMarketBook[]): { book: RawMarketBook; previous: number } | undefined {
    let found: { book: RawMarketBook; previous: number } | undefined;
    for (const book of books) {
      const key = `${book.provider}\u0000${book.sourceMarketId}\u0000${book.bookmaker}\u0000${book.side}`;
      const previous = this.latest.get(key);
      if (previous !== undefined && book.eventTime < previous) found ??= { book, previous };
      else this.latest.set(key, book.eventTime);
    }
    return found;
  }
}
