import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { backoffDelay, type BackoffPolicy } from '../resilience/backoff.js';

/** A consumer loop as the processors and sinks run it (see watchConsumerCrashes). */
export interface ConsumerLoop {
  stop(): Promise<void>;
  /** Resolves if the loop's consumer stopped for good. */
  failed: Promise<Error>;
}

export interface SupervisorOptions {
  /** Names the loop in logs and metrics (prepare, enrich, timescale, redis). */
  name: string;
  logger: Logger;
  /** Counts each restart, by loop name. */
  onRestart: (name: string) => void;
  /** The wait before each attempt; attempts in a row back off further. */
  backoff: BackoffPolicy;
  /** Attempts allowed within `windowMs`; one more and the loop is given up. */
  maxRestarts: number;
  windowMs: number;
  clock: { now(): number };
  random?: () => number;
}

/**
 * Keeps a consumer loop running across the crashes kafkajs does not restart from. A broker that
 * restarts leaves kafkajs's consumer with "Failed to find group coordinator", a non-retriable
 * error: the consumer stops for good while the broker is back seconds later. The loop is then
 * stopped and started again (a new consumer and producer; the group resumes from its committed
 * offsets, so nothing is skipped or repeated beyond what the loop's own commit rules allow).
 * Only a loop that keeps failing, more than `maxRestarts` attempts within `windowMs`, is given
 * up: `failed` resolves and the role fails loudly for its supervisor to restart.
 */
export async function superviseLoop(
  start: () => Promise<ConsumerLoop>,
  options: SupervisorOptions,
): Promise<ConsumerLoop> {
  const log = options.logger;
  let current = await start();
  let stopping = false;
  let wake: (() => void) | undefined;
  let restarting: Promise<void> = Promise.resolve();
  const attempts: number[] = [];
  let giveUp!: (err: Error) => void;
  const failed = new Promise<Error>((resolve) => (giveUp = resolve));

  /** Waits `ms`, or less if stop() is called meanwhile. */
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const restart = async (cause: Error): Promise<void> => {
    let err = cause;
    await current.stop().catch(() => undefined);
    while (!stopping) {
      const now = options.clock.now();
      while (attempts.length > 0 && attempts[0]! <= now - options.windowMs) attempts.shift();
      if (attempts.length >= options.maxRestarts) {
        log.error(
          { err },
          `${options.name} consumer: ${attempts.length} restarts within ${Math.round(options.windowMs / 1000)} s, giving up: ${describeError(err)}`,
        );
        giveUp(err);
        return;
      }
      attempts.push(now);
      const delay = backoffDelay(attempts.length - 1, options.backoff, options.random);
      log.warn(
        { err, attempt: attempts.length },
        `${options.name} consumer stopped (${describeError(err)}); restarting it in ${delay} ms`,
      );
      await pause(delay);
      if (stopping) return;
      options.onRestart(options.name);
      try {
        current = await start();
      } catch (startErr) {
        err = startErr as Error;
        continue;
      }
      log.info(`${options.name} consumer restarted`);
      watch(current);
      return;
    }
  };

  const watch = (loop: ConsumerLoop): void => {
    void loop.failed.then((err) => {
      if (stopping || loop !== current) return;
      restarting = restart(err);
    });
  };
  watch(current);

  return {
    failed,
    async stop() {
      stopping = true;
      wake?.();
      await restarting;
      await current.stop();
    },
  };
}
