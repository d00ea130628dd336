import { loadConfig } from '../src/app/config/load.js';
import { stackDown, stackUp } from '../stack/index.js';
import { progress } from './progress.js';

/**
 * Brings up the local stack's Kafka, registry and Redis where nothing answers (the sinks write to
 * `databaseUrl`, and sink_embedded starts an embedded database of its own, so the stack's is not
 * needed), and returns how to stop what this call started, nothing else.
 */
export async function ensureStack(databaseUrl: string): Promise<() => Promise<void>> {
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl });
  const say = (line: string) => progress('stack', line);
  const { started } = await stackUp(config, say);
  if (started.length === 0) return () => Promise.resolve();
  return async () => {
    say(`stopping what this run started (${started.join(', ')})`);
    await stackDown(config, say, started);
  };
}
