/**
 * JSON for records that may hold bytes (DeadLetter.key, originalValue): Buffers become
 * `{"base64": "..."}` instead of Node's `{"type":"Buffer","data":[...]}`, so any language can
 * read them back.
 */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (
      v &&
      typeof v === 'object' &&
      (v as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((v as { data?: unknown }).data)
    ) {
      return { base64: Buffer.from((v as { data: number[] }).data).toString('base64') };
    }
    return v;
  });
}
