import type { DeadLetterError } from '../../src/core/generated/avro-types.js';
import type { TimeFormat, ValueSource } from './field-mapping.js';
import { resolveValue, type Scope } from './json-path.js';

export const parseIssueCodes = ['MALFORMED_JSON', 'MISSING_FIELD', 'INVALID_TYPE', 'INVALID_VALUE'] as const;
export type ParseIssueCode = (typeof parseIssueCodes)[number];

interface Raw {
  value: unknown;
  where: string;
}

/**
 * Reads mapped fields out of one scope chain and coerces them to RawMarketBook types, collecting
 * an issue (with the concrete JSON path) for every field that is absent or of the wrong type
 * instead of stopping at the first, so one dead letter tells the whole story.
 */
export class FieldReader {
  constructor(
    private readonly chain: readonly Scope[],
    private readonly issues: DeadLetterError[],
    private readonly timeFormat: TimeFormat,
  ) {}

  private raw(field: string, source: ValueSource): Raw {
    if (source.kind === 'const') return { value: source.value, where: `${field} (const)` };
    const resolved = resolveValue(source.path, this.chain);
    let value = resolved.value;
    if ((value === undefined || value === null) && source.fallback !== null) value = source.fallback;
    if (
      source.map !== null &&
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    ) {
      value = source.map[String(value)] ?? value;
    }
    return { value, where: resolved.where };
  }

  private fail(where: string, code: ParseIssueCode, message: string): null {
    this.issues.push({ path: where, code, message });
    return null;
  }

  private present(field: string, raw: Raw, required: boolean): boolean {
    if (raw.value !== undefined && raw.value !== null) return true;
    if (required) this.fail(raw.where, 'MISSING_FIELD', `${field} is required but absent`);
    return false;
  }

  /** Ids, names and keys: strings, or numbers as written (ids are often numeric). */
  text(field: string, source: ValueSource | undefined, required: true): string;
  text(field: string, source: ValueSource | undefined, required?: false): string | null;
  text(field: string, source: ValueSource | undefined, required = false): string | null {
    if (source === undefined) return null;
    const raw = this.raw(field, source);
    if (!this.present(field, raw, required)) return required ? '' : null;
    if (typeof raw.value === 'string' || typeof raw.value === 'number') {
      const text = String(raw.value);
      if (text.trim() !== '' || !required) return text;
      this.fail(raw.where, 'INVALID_VALUE', `${field} is empty`);
      return '';
    }
    this.fail(raw.where, 'INVALID_TYPE', `${field} must be a string or a number, got ${typeName(raw.value)}`);
    return required ? '' : null;
  }

  /** One of a fixed set, compared case-insensitively and returned in the set's spelling. */
  oneOf<T extends string>(field: string, source: ValueSource, allowed: readonly T[]): T {
    const text = this.text(field, source, true);
    const match = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
    if (match !== undefined) return match;
    if (text !== '')
      this.fail(
        this.raw(field, source).where,
        'INVALID_VALUE',
        `${field} "${text}" is not one of ${allowed.join(', ')}`,
      );
    return allowed[0] as T;
  }

  /** The price exactly as given; null is "no price offered", absent is a mapping problem. */
  price(field: string, source: ValueSource, absentAllowed: boolean): string | null {
    const raw = this.raw(field, source);
    if (raw.value === null || (raw.value === undefined && absentAllowed)) return null;
    if (raw.value === undefined)
      return this.fail(raw.where, 'MISSING_FIELD', `${field} is required but absent (null means no price)`);
    if (typeof raw.value === 'string' || typeof raw.value === 'number') return String(raw.value);
    return this.fail(
      raw.where,
      'INVALID_TYPE',
      `${field} must be a string or a number, got ${typeName(raw.value)}`,
    );
  }

  number(field: string, source: ValueSource | undefined, integer = false): number | null {
    if (source === undefined) return null;
    const raw = this.raw(field, source);
    if (!this.present(field, raw, false)) return null;
    const n = typeof raw.value === 'string' && raw.value.trim() !== '' ? Number(raw.value) : raw.value;
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      return this.fail(
        raw.where,
        'INVALID_TYPE',
        `${field} must be a number, got ${JSON.stringify(raw.value)}`,
      );
    }
    if (integer && !Number.isInteger(n))
      return this.fail(raw.where, 'INVALID_VALUE', `${field} must be an integer, got ${n}`);
    return n;
  }

  boolean(field: string, source: ValueSource): boolean {
    const raw = this.raw(field, source);
    if (!this.present(field, raw, false)) return false;
    const v = raw.value;
    if (typeof v === 'boolean') return v;
    if (v === 1 || v === 0) return v === 1;
    if (typeof v === 'string' && ['true', 'false'].includes(v.toLowerCase()))
      return v.toLowerCase() === 'true';
    this.fail(raw.where, 'INVALID_TYPE', `${field} must be a boolean, got ${JSON.stringify(v)}`);
    return false;
  }

  /** Epoch milliseconds, read according to the mapping's `timeFormat`. */
  time(field: string, source: ValueSource | undefined, required: boolean): number | null {
    if (source === undefined) return null;
    const raw = this.raw(field, source);
    if (!this.present(field, raw, required)) return null;
    const ms = toEpochMs(raw.value, this.timeFormat);
    if (ms === null)
      return this.fail(
        raw.where,
        'INVALID_VALUE',
        `${field} is not a ${this.timeFormat} time: ${JSON.stringify(raw.value)}`,
      );
    return ms;
  }
}

function typeName(value: unknown): string {
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value;
}

export function toEpochMs(value: unknown, format: TimeFormat): number | null {
  const numeric =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : null;
  let ms: number | null = null;
  if (format === 'iso') ms = typeof value === 'string' && numeric === null ? Date.parse(value) : null;
  else if (numeric !== null && format === 'epoch-ms') ms = numeric;
  else if (numeric !== null && format === 'epoch-s') ms = numeric * 1000;
  else if (numeric !== null) ms = numeric < 1e11 ? numeric * 1000 : numeric;
  else if (format === 'auto' && typeof value === 'string') ms = Date.parse(value);
  return ms !== null && Number.isFinite(ms) ? Math.round(ms) : null;
}
