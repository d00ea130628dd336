import { Writable } from 'node:stream';

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
