import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/core/logger.js';

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** A pino destination that keeps every JSON line, so tests assert on real log output. */
export function captureLogs(): { stream: Writable; lines: () => LogLine[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => JSON.parse(l) as LogLine),
  };
}

/** A real pino logger writing into `lines`, for tests that assert on what a component logged. */
export function capturedLogger(level: 'debug' | 'info' = 'debug'): {
  logger: Logger;
  lines: LogLine[];
  messages(): string[];
} {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  });
  return { logger, lines, messages: () => lines.map((l) => l.msg) };
}
