import type { Batch, Consumer } from 'kafkajs';

/**
 * The offset to commit after processing `messages` of `batch`: the next message, or, when they
 * end the batch, past the batch's trailing control records (transaction markers). Committing only
 * past the last *message* leaves every transactional partition with a lag of 1 forever, which
 * makes `oddsflow lag` and drain checks lie; Java consumers commit their position, past markers.
 */
export function nextOffset(batch: Batch, lastProcessed: string, endsBatch: boolean): string {
  const afterMessage = BigInt(lastProcessed) + 1n;
  if (!endsBatch) return afterMessage.toString();
  const afterBatch = BigInt(batch.lastOffset()) + 1n;
  return (afterBatch > afterMessage ? afterBatch : afterMessage).toString();
}

/**
 * A fetched batch holding only control records never reaches eachBatch; kafkajs moves its own
 * position past it but commits only with autoCommit. This commits it, so the group's committed
 * offset (and its reported lag) moves past markers like a Java consumer's does.
 */
export function commitPastControlBatches(consumer: Consumer, onError: (err: unknown) => void): void {
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.batchSize !== 0) return;
    const offset = (BigInt(payload.lastOffset) + 1n).toString();
    consumer.commitOffsets([{ topic: payload.topic, partition: payload.partition, offset }]).catch(onError);
  });
}
