import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DestinationStream } from 'pino';

/** What the live view says about the log it keeps out of the terminal. */
export interface LogTally {
  readonly file: string;
  warnings: number;
  errors: number;
  /** The last warning or error: component and message. */
  last: string | undefined;
}

/**
 * A log destination for the demo's live view: JSON lines go to a file under the stack directory
 * (`logs/demo-<time>.log`), never through the view redrawn in place, and warnings and errors are
 * counted so that the view can say there are some and where to read them.
 */
export function demoLogFile(
  stackDir: string,
  now = new Date(),
): {
  destination: DestinationStream;
  tally: LogTally;
  close: () => Promise<void>;
} {
  const dir = path.join(stackDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `demo-${now.toISOString().replace(/[:.]/g, '-')}.log`);
  const stream = createWriteStream(file, { flags: 'a' });
  const tally: LogTally = { file, warnings: 0, errors: 0, last: undefined };
  const destination: DestinationStream = {
    write(line: string) {
      stream.write(line);
      // pino writes the level as a label ("level":"warn", see createLogger's formatter).
      const level = /"level":"(warn|error|fatal)"/.exec(line)?.[1];
      if (!level) return;
      if (level === 'warn') tally.warnings++;
      else tally.errors++;
      tally.last = summarise(line);
    },
  };
  return {
    destination,
    tally,
    close: () => new Promise<void>((resolve) => stream.end(resolve)),
  };
}

function summarise(line: string): string {
  try {
    const entry = JSON.parse(line) as { component?: string; name?: string; msg?: string };
    return [entry.component, entry.name].filter(Boolean).join('/') + `: ${entry.msg ?? ''}`;
  } catch {
    return line.slice(0, 120);
  }
}
