import { LruMap } from '../../src/core/lru-map.js';
import type { CanonicalEvent } from './event-id.js';
import { utcHourMinute } from './event-id.js';

export interface EventRegistryOptions {
  /**
   * Books of one pair whose start times differ by at most this much are one event, unless a
   * provider already names them as two. Providers' scheduled times for one game differ by
   * minutes; two games of a pair on one day (a doubleheader) are hours apart.
   */
  toleranceMs: number;
  /** Pairs remembered (least recently seen forgotten first). */
  maxPairs?: number;
  /** Provider events remembered. */
  maxSources?: number;
}

export const defaultEventStartToleranceMs = 60 * 60_000;

/** Events of one pair kept: a season's meetings of two teams, with room to spare. */
const eventsPerPair = 32;

interface KnownEvent {
  eventId: string;
  startTime: number;
  /** provider → the provider's event id: one provider never lists one game twice. */
  sources: Map<string, string>;
}

export interface EventSource {
  provider: string;
  sourceEventId: string;
}

/**
 * Canonical ids of team events that tell two events of the same pair on one day apart, while
 * books of one event from providers whose start times differ by a few minutes still join
 * (issue 18). The first event of a pair keeps the plain id (`…/2026-12-06/a~b`); another event of
 * the pair whose start is more than `toleranceMs` away — or that a provider already names as a
 * different event — gets its start time appended (`…/2026-12-06/a~b/2330`).
 *
 * The answer depends on what this instance has seen (which event of a pair came first), so it is
 * remembered per provider event: a provider's event keeps its id for as long as it is
 * remembered, whatever start time later records give. docs/architecture.md, "Canonical ids",
 * says what that means with several processor instances.
 */
export class EventRegistry {
  readonly #toleranceMs: number;
  readonly #bySource: LruMap<string, string>;
  readonly #byPair: LruMap<string, KnownEvent[]>;

  constructor(options: EventRegistryOptions) {
    if (!(options.toleranceMs >= 0)) throw new RangeError('toleranceMs must not be negative');
    this.#toleranceMs = options.toleranceMs;
    this.#bySource = new LruMap(options.maxSources ?? 200_000);
    this.#byPair = new LruMap(options.maxPairs ?? 100_000);
  }

  /** The final event id of a book or result of `source`. */
  resolve(event: CanonicalEvent, source: EventSource): string {
    const { pairing } = event;
    if (pairing === undefined) return event.eventId;
    const sourceKey = `${source.provider}\u0000${source.sourceEventId}`;
    const known = this.#bySource.get(sourceKey);
    if (known !== undefined) return known;

    const events = this.#byPair.get(pairing.pairKey) ?? [];
    // The provider's event may have been forgotten by source while its pair is remembered.
    const joined =
      events.find((e) => e.sources.get(source.provider) === source.sourceEventId) ??
      this.#closest(events, pairing.startTime, source.provider);
    const target = joined ?? this.#add(events, event.eventId, pairing.startTime);
    target.sources.set(source.provider, source.sourceEventId);
    this.#byPair.set(pairing.pairKey, events);
    this.#bySource.set(sourceKey, target.eventId);
    return target.eventId;
  }

  /** The event of the pair starting nearest `startTime` within tolerance that `provider` has not named yet. */
  #closest(events: readonly KnownEvent[], startTime: number, provider: string): KnownEvent | undefined {
    let best: KnownEvent | undefined;
    for (const candidate of events) {
      const gap = Math.abs(candidate.startTime - startTime);
      if (gap > this.#toleranceMs || candidate.sources.has(provider)) continue;
      if (best === undefined || gap < Math.abs(best.startTime - startTime)) best = candidate;
    }
    return best;
  }

  #add(events: KnownEvent[], plainId: string, startTime: number): KnownEvent {
    const taken = new Set(events.map((e) => e.eventId));
    let eventId = plainId;
    if (taken.has(eventId)) {
      const timed = `${plainId}/${utcHourMinute(startTime)}`;
      eventId = timed;
      for (let n = 2; taken.has(eventId); n++) eventId = `${timed}-${n}`;
    }
    const added: KnownEvent = { eventId, startTime, sources: new Map() };
    events.push(added);
    if (events.length > eventsPerPair) events.shift();
    return added;
  }
}
