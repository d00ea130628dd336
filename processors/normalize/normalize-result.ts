import type { Placing, Result, Score } from '../../src/core/generated/avro-types.js';
import type { Issue, ReasonCode } from '../validate/issues.js';
import { validateResult } from '../validate/validate-result.js';
import type { ParsedRawResult } from '../validate/raw-schemas.js';
import type { AliasTables } from './aliases.js';
import { canonicalResultIds } from './canonical-ids.js';
import type { RacingEventKey } from './event-id.js';
import type { EventRegistry } from './event-registry.js';
import { displayName } from './selection-id.js';

export interface NormalizeResultOptions {
  aliases: AliasTables;
  now: () => number;
  racingEventKey?: RacingEventKey;
}

export type ResultOutcome =
  | { kind: 'result'; result: Result }
  | { kind: 'rejected'; stage: 'results'; reasonCode: ReasonCode; errors: Issue[] };

const numericScore = /^\s*[+-]?\d+(?:\.\d+)?\s*$/u;

/** "112" → 112; "287/6" (cricket) or "" → null, the raw string being kept beside it. */
export function parseScore(raw: string): number | null {
  if (!numericScore.test(raw)) return null;
  // Hundreds of digits are past the largest double: Infinity is no score.
  const score = Number(raw);
  return Number.isFinite(score) ? score : null;
}

// Highest score wins; a tie (draw) or any non-numeric score leaves the winner unknown.
function scoreWinners(scores: readonly Score[]): string[] {
  if (scores.length < 2 || scores.some((s) => s.score === null)) return [];
  const best = Math.max(...scores.map((s) => s.score ?? -Infinity));
  const top = scores.filter((s) => s.score === best);
  return top.length === 1 && top[0] ? [top[0].selectionId] : [];
}

// In a place market every placed runner is a winning bet (Betfair marks them WINNER already).
function runnerWinners(placings: readonly Placing[], marketId: string | null): string[] {
  const placeMarket = marketId !== null && /^(PLACE|EACH_WAY)\b/u.test(marketId);
  return placings
    .filter((p) => p.status === 'WINNER' || (placeMarket && p.status === 'PLACED'))
    .map((p) => p.selectionId);
}

function reject(errors: Issue[]): ResultOutcome {
  return { kind: 'rejected', stage: 'results', reasonCode: errors[0]?.code ?? 'SCHEMA', errors };
}

function build(
  raw: ParsedRawResult,
  options: NormalizeResultOptions,
  events: EventRegistry | undefined,
): ResultOutcome {
  const ids = canonicalResultIds(raw, {
    aliases: options.aliases,
    racingEventKey: options.racingEventKey,
    ...(events ? { events } : {}),
  });
  if (!ids.ok) return reject(ids.issues);
  const { event, marketId, selectionKind, runnerIds, scoreIds } = ids.ids;
  const scores: Score[] = raw.scores.map((s, i) => ({
    selectionId: scoreIds[i] ?? s.name,
    name: displayName('participant', s.name, options.aliases) ?? s.name,
    score: parseScore(s.score),
    rawScore: s.score,
  }));
  const placings: Placing[] = raw.runners.map((r, i) => ({
    selectionId: runnerIds[i] ?? r.sourceSelectionId,
    name: displayName(selectionKind, r.name, options.aliases),
    status: r.status,
  }));
  return {
    kind: 'result',
    result: {
      eventId: event.eventId,
      marketId,
      sport: event.sport.sport,
      eventName: raw.eventName,
      startTime: raw.startTime,
      provider: raw.provider,
      scores,
      placings,
      winners: placings.length > 0 ? runnerWinners(placings, marketId) : scoreWinners(scores),
      settledAt: raw.eventTime,
      processedAt: options.now(),
    },
  };
}

/**
 * RawResult → Result with the canonical ids of the books it settles (the same functions name
 * both, and `events`, the registry the books went through, gives a result of a pair's second
 * game of the day that game's id). Deterministic for the same record, clock and registry, so a
 * replay rewrites the same row.
 */
export function normalizeResult(
  input: unknown,
  options: NormalizeResultOptions,
  events?: EventRegistry,
): ResultOutcome {
  const validation = validateResult(input);
  if (validation.kind === 'unreadable' || validation.issues.length > 0) return reject(validation.issues);
  return build(validation.result, options, events);
}
