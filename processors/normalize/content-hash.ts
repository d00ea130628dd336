import { createHash } from 'node:crypto';
import type { Selection } from '../../src/core/generated/avro-types.js';

export interface HashedContent {
  status: string;
  inPlay: boolean;
  numberOfPlaces: number | null;
  selections: readonly Selection[];
}

/**
 * Hash of what a consumer acts on: prices, sizes and statuses (of the market and of each
 * selection), not timestamps. Selections are sorted so the provider's order does not matter; a
 * market going SUSPENDED with unchanged prices is a change.
 */
export function contentHash(content: HashedContent): string {
  const selections = content.selections
    .map((s) => [s.selectionId, s.point, s.decimalOdds, s.size, s.status] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] ?? 0) - (b[1] ?? 0) : a[0] < b[0] ? -1 : 1));
  const canonical = JSON.stringify([content.status, content.inPlay, content.numberOfPlaces, selections]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
