import { readFile } from 'node:fs/promises';
import { ConfigError } from '../src/errors.js';
import { readOddsApiFile, readWsJsonFile, type ReaderOptions, type RecordChunk } from './file-readers.js';
import { fieldMappingSchema } from './ws-json/field-mapping.js';
import { simulatorFieldMapping } from './ws-json/simulator.js';

export const offlineProviders = ['the-odds-api', 'ws-json'] as const;
export type OfflineProvider = (typeof offlineProviders)[number];

/** The reader of a provider's recorded payload file, with its options resolved. */
export async function readProviderFile(
  provider: OfflineProvider,
  text: string,
  options: Omit<ReaderOptions, 'mapping'> & { mappingFile?: string | undefined },
): Promise<Iterable<RecordChunk>> {
  switch (provider) {
    case 'the-odds-api':
      return readOddsApiFile(text, options);
    case 'ws-json': {
      const raw: unknown = options.mappingFile
        ? JSON.parse(await readFile(options.mappingFile, 'utf8'))
        : simulatorFieldMapping;
      const mapping = fieldMappingSchema.safeParse(raw);
      if (!mapping.success) {
        throw new ConfigError(mapping.error.issues.map((i) => `--mapping ${i.path.join('.')}: ${i.message}`));
      }
      return readWsJsonFile(text, { ...options, mapping: mapping.data });
    }
  }
}
