import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OddsflowError } from '../../core/errors.js';
import type { Strategy, StrategyFactory } from './strategy.js';

const isStrategy = (v: unknown): v is Strategy =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Strategy).onPricing === 'function' &&
  typeof (v as Strategy).name === 'string';

/**
 * A strategy module's default export: a Strategy, or a factory given the `--param` values. A
 * TypeScript module loads when the process runs under tsx (`npm run oddsflow`, `npx tsx`).
 */
export async function loadStrategy(file: string, params: Record<string, string>): Promise<Strategy> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: unknown };
  } catch (err) {
    throw new OddsflowError(
      'CONFIG_INVALID',
      `--strategy ${file}: cannot load it (${(err as Error).message})`,
      { cause: err },
    );
  }
  const exported = module.default;
  const strategy = typeof exported === 'function' ? (exported as StrategyFactory)(params) : exported;
  if (!isStrategy(strategy))
    throw new OddsflowError(
      'CONFIG_INVALID',
      `--strategy ${file}: its default export is neither a Strategy ({ name, onPricing }) nor a factory of one`,
    );
  return strategy;
}

/** `key=value` pairs of repeated `--param` options. */
export function parseParams(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new OddsflowError('CONFIG_INVALID', `--param ${pair}: expected key=value`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return params;
}
