import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../src/core/errors.js';
import type { BetfairConfig } from './config.js';
import type { HttpsSettings } from './https-post.js';
import type { Login } from './session-keeper.js';

/** A PEM file the config names, or a config error that says which setting and why. */
export async function readPem(file: string, setting: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `ODDSFLOW_CONNECTOR_BETFAIR.${setting}: cannot read ${file}: ${(err as Error).message}`,
    ]);
  }
}

/** The configured login, its certificate files read; undefined without one. */
export async function loginOf(config: BetfairConfig, tls: HttpsSettings): Promise<Login | undefined> {
  const { login } = config;
  if (login === undefined) return undefined;
  const { username, password } = login;
  if (login.method === 'interactive') return { method: 'interactive', username, password };
  const [cert, key] = await Promise.all([
    readPem(login.certFile, 'login.certFile'),
    readPem(login.keyFile, 'login.keyFile'),
  ]);
  return { method: 'certificate', username, password, tls: { ...tls, cert, key } };
}
