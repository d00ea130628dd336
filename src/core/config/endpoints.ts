import { chmodSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { withoutPassword } from '../secrets.js';

/**
 * Where `oddsflow stack up` left each service. Every other command (and the test setup) reads it
 * when the matching environment variable is not set, so a user who ran `stack:up` needs no config.
 */
export const stackEndpointsSchema = z
  .object({
    kafkaBrokers: z.array(z.string()).min(1),
    schemaRegistryUrl: z.string(),
    databaseUrl: z.string(),
    redisUrl: z.string(),
    /** Which services this stack started (and so `stack down` stops). */
    managed: z.object({
      kafka: z.boolean(),
      registry: z.boolean(),
      timescale: z.boolean(),
      redis: z.boolean(),
    }),
    writtenAt: z.string(),
  })
  .strict();

export type StackEndpoints = z.infer<typeof stackEndpointsSchema>;

export function endpointsFile(stackDir: string): string {
  return path.join(stackDir, 'endpoints.json');
}

/** The endpoints file, or undefined when no stack has been started (or it is unreadable). */
export function readStackEndpoints(stackDir: string): StackEndpoints | undefined {
  let text: string;
  try {
    text = readFileSync(endpointsFile(stackDir), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = stackEndpointsSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/**
 * Writes the endpoints without any password: the file outlives the process and other users may
 * read the directory, while a password given by environment stays in the environment (a command
 * run without it then fails to authenticate, and says which variable to set). The stack's own
 * services need none. Readable by the owner only, as a second line of defence. Returns what it
 * wrote.
 */
export function writeStackEndpoints(stackDir: string, endpoints: StackEndpoints): StackEndpoints {
  mkdirSync(stackDir, { recursive: true });
  const file = endpointsFile(stackDir);
  const stored: StackEndpoints = {
    ...endpoints,
    schemaRegistryUrl: withoutPassword(endpoints.schemaRegistryUrl),
    databaseUrl: withoutPassword(endpoints.databaseUrl),
    redisUrl: withoutPassword(endpoints.redisUrl),
  };
  writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  // `mode` applies only when the file is created: an older, wider file is narrowed too.
  chmodSync(file, 0o600);
  return stored;
}

export function removeStackEndpoints(stackDir: string): void {
  rmSync(endpointsFile(stackDir), { force: true });
}
