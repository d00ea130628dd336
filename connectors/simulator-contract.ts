import { z } from 'zod';
import type { RaceCard } from '../src/core/sim/race-card.js';

/**
 * What the simulators of one run share: one seed (the run repeats), one race card (an exchange
 * book and a bookmaker book of a race join) and one place to listen.
 */
export interface SimulatorWorld {
  seed: number;
  /** Where they listen: 127.0.0.1, or 0.0.0.0 to serve a container network. */
  host: string;
  raceCard: RaceCard;
  /** Chance of a deliberate mispricing per bookmaker's quote window (each simulator's arbitrageRate). */
  arbitrageRate: number;
}

/** A flag of `oddsflow simulate` that sets one of a simulator's options. */
export interface SimulatorFlag<K extends string = string> {
  option: K;
  /** Without its dashes: `betfair-api-port`. */
  flag: string;
  /** The value's name in the help: `port`. */
  value: string;
  description: string;
}

/** A fixed port, or 0 for a free one. */
export const simulatorPort = z.coerce.number().int().min(0).max(65535).default(0);

/**
 * How the demo, `oddsflow simulate` and the end-to-end tests run a connector's simulator: started
 * with its options (each defaulting to the demo's), then asked for the connector config that
 * points the connector at it. `H` is the running simulator, whose faults and stats tests use.
 */
export interface ConnectorSimulator<
  O extends z.ZodObject = z.ZodObject,
  H extends { stop(): Promise<void> } = { stop(): Promise<void> },
> {
  /** How `oddsflow simulate` names it: `Betfair stream`. */
  title: string;
  options: O;
  flags: readonly SimulatorFlag<Extract<keyof z.output<O>, string>>[];
  start(world: SimulatorWorld, options: z.output<O>): Promise<H>;
  /** The connector's JSON config (its `settings.config` variable) that reaches it at `host`. */
  connectorConfig(simulator: H, host: string, options: z.output<O>): Record<string, unknown>;
  /** Where it serves, for `oddsflow simulate`: `WebSocket ws://127.0.0.1:7002`. */
  address(simulator: H): string;
}

/** A simulator's URL with the host the connector reaches it at (a service name) in place of its own. */
export function urlAt(url: string, host: string): string {
  return url.replace(/\/\/[^/:]+:/, `//${host}:`);
}
