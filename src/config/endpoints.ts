import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

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

export function writeStackEndpoints(stackDir: string, endpoints: StackEndpoints): void {
  mkdirSync(stackDir, { recursive: true });
  writeFileSync(endpointsFile(stackDir), JSON.stringify(endpoints, null, 2) + '\n');
}

export function removeStackEndpoints(stackDir: string): void {
  rmSync(endpointsFile(stackDir), { force: true });
}
