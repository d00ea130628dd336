/** What the bar shows; `totalBytes`/`readBytes` give the share done and the ETA when known. */
export interface ProgressState {
  files: number;
  totalFiles: number | null;
  records: number;
  deadLetters: number;
  problems: number;
  readBytes: number;
  totalBytes: number | null;
}

const number = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (v: number) => String(v).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** One line: bar, share, files, records, rate, ETA (the rate since the start). */
export function renderProgress(state: ProgressState, elapsedMs: number, width = 20): string {
  const rate = elapsedMs > 0 ? (state.records * 1000) / elapsedMs : 0;
  const share = state.totalBytes ? Math.min(1, state.readBytes / state.totalBytes) : null;
  const filled = share === null ? 0 : Math.round(share * width);
  const bar =
    share === null
      ? ''
      : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% `;
  const eta =
    share !== null && share > 0 && state.readBytes > 0
      ? duration(((state.totalBytes! - state.readBytes) * elapsedMs) / state.readBytes / 1000)
      : '?';
  const files =
    state.totalFiles === null
      ? `${number(state.files)} files`
      : `${number(state.files)}/${number(state.totalFiles)} files`;
  const extra = [
    state.deadLetters > 0 ? `${number(state.deadLetters)} dead letters` : '',
    state.problems > 0 ? `${number(state.problems)} problems` : '',
  ].filter((s) => s !== '');
  return `${bar}${files} · ${number(state.records)} records · ${number(rate)} records/s · ETA ${eta}${extra.length ? ' · ' + extra.join(' · ') : ''}`;
}

export interface ProgressBarOptions {
  /** A terminal: the line is redrawn in place; otherwise a line every `intervalMs`. */
  tty: boolean;
  write: (text: string) => void;
  now?: () => number;
  intervalMs?: number;
}

/** Redraws in place on a terminal (at most 5 times a second), or prints periodic lines to a log. */
export class ProgressBar {
  private readonly started: number;
  private last = -Infinity;
  private readonly now: () => number;
  private readonly interval: number;

  constructor(private readonly options: ProgressBarOptions) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.interval = options.intervalMs ?? (options.tty ? 200 : 10_000);
  }

  update(state: ProgressState): void {
    const now = this.now();
    if (now - this.last < this.interval) return;
    this.last = now;
    const line = renderProgress(state, now - this.started);
    this.options.write(this.options.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  /** The final state, on a line of its own. */
  done(state: ProgressState): void {
    const line = renderProgress(state, this.now() - this.started);
    this.options.write(this.options.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }
}
