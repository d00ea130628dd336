export interface PollLoop {
  /** Schedules the first run right away. */
  start(): void;
  /** Cancels the next run and waits for the one in flight, if any. */
  stop(): Promise<void>;
}

export interface PollLoopOptions {
  /** One poll; it must handle its own errors (a rejection is passed to `onError`). */
  run: () => Promise<void>;
  /** Asked after every run, so the interval can follow the quota. */
  nextDelayMs: () => number;
  onError: (err: unknown) => void;
}

/**
 * setTimeout chained after each run, never setInterval: a slow poll (retries, backoff) delays the
 * next one instead of piling calls up behind it.
 */
export function createPollLoop(options: PollLoopOptions): PollLoop {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      inFlight = options
        .run()
        .catch(options.onError)
        .finally(() => {
          inFlight = undefined;
          schedule(options.nextDelayMs());
        });
    }, delayMs);
  }

  return {
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
  };
}
