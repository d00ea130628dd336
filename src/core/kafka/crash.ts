import type { Consumer } from 'kafkajs';
import type { Logger } from '../logger.js';

/**
 * Logs every consumer crash, and resolves with the error of one kafkajs will not restart from
 * (a non-retriable error): the consumer has stopped for good while the process would otherwise
 * go on looking healthy, so the role must fail and let its supervisor restart it.
 */
export function watchConsumerCrashes(consumer: Consumer, log: Logger, name: string): Promise<Error> {
  return new Promise((resolve) => {
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      log.error(
        { err: error, restart },
        `${name} consumer crashed${restart ? '; kafkajs restarts it' : ' for good'}`,
      );
      if (!restart) resolve(error);
    });
  });
}
