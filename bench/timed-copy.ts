import { progress } from './progress.js';

/** What a copy loop tells `timedCopy` as it goes. */
export interface CopyProgress {
  /** A batch was handed over by the consumer (the first one starts the clock). */
  fetched(): void;
  /** One batch of `messages` was written (and, in a transaction, committed with its offsets). */
  copied(messages: number): void;
  /** The loop stopped on an error: the copy fails now rather than at the timeout. */
  failed(err: unknown): void;
}

/** Starts a consume → produce loop that reports to `report`; resolves to how to stop it. */
export type StartCopy = (report: CopyProgress) => Promise<() => Promise<void>>;

export interface CopyTiming {
  copied: number;
  /** Batches copied (transactions, in a transactional copy). */
  batches: number;
  /** From the first batch fetched to the last one copied: joining the group does not count. */
  ms: number;
}

const timeoutMs = 300_000;

/** Runs a copy until it has copied `count` messages (at most 5 minutes), then stops it. */
export async function timedCopy(scenario: string, count: number, start: StartCopy): Promise<CopyTiming> {
  let copied = 0;
  let batches = 0;
  let firstFetchAt: number | undefined;
  let lastCopiedAt = 0;
  let done!: () => void;
  let fail!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const stop = await start({
    fetched: () => {
      firstFetchAt ??= performance.now();
    },
    copied: (messages) => {
      copied += messages;
      batches++;
      lastCopiedAt = performance.now();
      if (copied >= count) done();
    },
    failed: (err) => fail(err),
  });
  const reporter = setInterval(() => progress(scenario, `copied ${copied}/${count}`), 2_000);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${scenario}: not done after 5 minutes`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    clearInterval(reporter);
    await stop();
  }
  return { copied, batches, ms: lastCopiedAt - (firstFetchAt ?? lastCopiedAt) };
}
