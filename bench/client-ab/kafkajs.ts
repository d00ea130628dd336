import { createProducer } from '../../src/core/kafka/client.js';
import type { BenchEnv } from '../env.js';
import { kafkajsCopy } from '../scenarios/passthrough.js';
import type { AbClient } from './client.js';

/** kafkajs as the project uses it: its producer factory, and passthrough_transactional's copy. */
export function kafkajsClient(env: BenchEnv): AbClient {
  return {
    name: 'kafkajs',
    producer: async (topic) => {
      const producer = createProducer(env.kafka);
      // kafkajs asks for the idempotent producer id on connect.
      await producer.connect();
      return {
        send: async (messages) => {
          await producer.sendBatch({ topicMessages: [{ topic, messages: [...messages] }] });
        },
        close: () => producer.disconnect(),
      };
    },
    copy: (scenario, spec) => kafkajsCopy(env, scenario, spec),
  };
}
