import type { Command } from 'commander';
import { topicNames, topicTable } from '../../../core/kafka/topics.js';
import { AvroSerde } from '../../../core/serde/avro-serde.js';
import { valueSubject } from '../../../core/serde/schemas.js';
import { runCommand, say } from '../context.js';

export function registerSchemasCommands(program: Command): void {
  const schemas = program.command('schemas').description('Avro schemas in the schema registry');
  schemas
    .command('register')
    .description('register schemas/*.avsc under <topic>-value with BACKWARD compatibility (idempotent)')
    .action(() =>
      runCommand(async ({ config }) => {
        const names = topicNames(config.topics.prefix);
        const serde = new AvroSerde(config.registry, names);
        const ids = await serde.registerAll();
        for (const [topic, id] of ids)
          say(`${valueSubject(names[topic])}: ${topicTable[topic].valueSchema} id ${id}`);
      }),
    );
}
