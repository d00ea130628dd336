/**
 * Secrets by value. Redaction by key name (logger.ts) misses a secret inside a message: an error
 * that quotes a URL, a provider answer echoing a token. So every output channel — log lines and
 * the lines commands print — also replaces the values themselves, as given and in the escaped
 * forms they take in JSON and URLs.
 */

const censor = '[redacted]';

/**
 * Values shorter than this are not replaced: a two-letter password would turn every word that
 * contains it into noise, and matches nothing a reader could not guess anyway.
 */
export const minSecretLength = 4;

const secretKey = /key|token|secret|password|passwd|auth|credential|signature/i;

/**
 * `url` for logs and status lines: its password replaced, and its query values — every one
 * (`query: 'all'`, for feed URLs whose tokens have any name) or those under secret-looking names
 * (`'secret'`, for service URLs whose query holds options such as sslmode).
 */
export function maskUrl(url: string, query: 'all' | 'secret' = 'all'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/([^/:@]*):[^/@]*@/, '//$1:***@').replace(/([?&][^=&#]+=)[^&#]*/g, '$1***');
  }
  if (parsed.password) parsed.password = '***';
  for (const name of [...parsed.searchParams.keys()])
    if (query === 'all' || secretKey.test(name)) parsed.searchParams.set(name, '***');
  // URLSearchParams encodes the asterisks; keep them readable.
  return parsed.toString().replace(/%2A%2A%2A/g, '***');
}

/** `url` without its password (the user name stays): for files that outlive the process. */
export function withoutPassword(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/([^/:@]*):[^/@]*@/, '//$1@');
  }
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()])
    if (secretKey.test(name)) parsed.searchParams.delete(name);
  return parsed.toString();
}

/** The secret parts of a URL: its password, and its query values (tokens often travel there). */
function urlSecrets(text: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return [];
  }
  const found = [...parsed.searchParams.values()];
  if (parsed.password) found.push(decodeURIComponent(parsed.password), parsed.password);
  return found;
}

/** Secret strings inside a connector's JSON settings: values under secret-looking keys, headers, URL credentials. */
function jsonSecrets(value: unknown, underSecret = false): string[] {
  if (typeof value === 'string') return [...(underSecret ? [value] : []), ...urlSecrets(value)];
  if (Array.isArray(value)) return value.flatMap((v) => jsonSecrets(v, underSecret));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      jsonSecrets(v, underSecret || secretKey.test(k) || k.toLowerCase() === 'headers'),
    );
  }
  return [];
}

/** A setting given as JSON text (connector settings in the environment), or undefined. */
function parsedJson(text: string): unknown {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Every secret value in the settings (raw strings from the environment, or as parsed by the
 * config schema): the whole value of a secret setting (a password, a key), the passwords of
 * service URLs, and the credentials inside connector JSON. `secretNames` is the config's list of
 * secret settings (src/app/config/settings.ts).
 */
export function secretValues(
  settings: Readonly<Record<string, unknown>>,
  secretNames: ReadonlySet<string>,
): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') {
      found.push(...jsonSecrets(value));
    } else if (typeof value === 'string') {
      const json = parsedJson(value);
      const url = urlSecrets(value);
      if (json !== undefined) found.push(...jsonSecrets(json));
      else if (secretNames.has(name) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) found.push(value);
      found.push(...url);
    }
  }
  return [...new Set(found)].filter((v) => v.length >= minSecretLength);
}

/** Replaces known secret values in text. */
export class Redactor {
  private patterns: string[] = [];

  /** Adds values to hide (with their JSON-escaped and URL-encoded forms). */
  add(values: readonly string[]): void {
    const forms = values.flatMap((v) => [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v)]);
    this.patterns = [...new Set([...this.patterns, ...forms])]
      .filter((v) => v.length >= minSecretLength)
      // Longest first, so a secret containing another is replaced whole.
      .sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const pattern of this.patterns) if (out.includes(pattern)) out = out.split(pattern).join(censor);
    return out;
  }
}

/**
 * The process's secrets: filled once the configuration is loaded (cli/context.ts), applied by
 * every logger and by the lines commands print. One per process, like the environment it reads.
 */
export const processSecrets = new Redactor();
