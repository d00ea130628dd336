import { describe, expect, it } from 'vitest';
import { RaceCard } from '../../../src/core/sim/race-card.js';

const T0 = Date.parse('2027-03-01T12:00:20Z');

describe('simulated race card', () => {
  it('gives the same race for a seed and index, whichever races were asked for before', () => {
    const a = new RaceCard({ seed: 3, firstStart: T0 });
    const b = new RaceCard({ seed: 3, firstStart: T0 });
    const fromA = [0, 1, 2, 3, 4].map((i) => a.race(i));
    const fromB = [4, 2, 0, 3, 1].map((i) => b.race(i));
    expect(fromB.sort((x, y) => x.index - y.index)).toEqual(fromA);
    expect(new RaceCard({ seed: 4, firstStart: T0 }).race(0).runners).not.toEqual(fromA[0]?.runners);
  });

  it('starts races on whole minutes, in card order, with distinct runners per race', () => {
    const card = new RaceCard({ seed: 1, firstStart: T0, spacingMs: 5 * 60_000 });
    const races = Array.from({ length: 12 }, (_, i) => card.race(i));
    expect(races[0]?.startTime).toBe(Date.parse('2027-03-01T12:01:00Z'));
    for (const [i, race] of races.entries()) {
      expect(race.startTime % 60_000).toBe(0);
      expect(race.startTime - races[0]!.startTime).toBe(i * 5 * 60_000);
      expect(new Set(race.runners.map((r) => r.name)).size).toBe(race.runners.length);
      expect(race.runners.length).toBeGreaterThanOrEqual(6);
      expect(race.runners.length).toBeLessThanOrEqual(12);
    }
    // Venues in turn, each meeting numbering its own races.
    expect(races.slice(0, 5).map((r) => [r.venue, r.raceNumber])).toEqual([
      ['Ascot', 1],
      ['Leopardstown', 1],
      ['Flemington', 1],
      ['Kempton', 1],
      ['Ascot', 2],
    ]);
  });

  it('shares what happens to a race: its form at a time, its non-runners, and that it has been run', () => {
    const card = new RaceCard({ seed: 2, firstStart: T0 });
    const race = card.race(0);
    expect(card.form(race, T0)).toEqual(new RaceCard({ seed: 2, firstStart: T0 }).form(race, T0));
    const drift = card.form(race, T0 + 60_000).map((f, i) => Math.abs(f - card.form(race, T0)[i]!));
    expect(Math.max(...drift)).toBeGreaterThan(0);
    expect(Math.max(...drift)).toBeLessThanOrEqual(0.4);
    card.opened(0);
    card.opened(1);
    card.withdraw(0, race.runners[2]!.horseId);
    expect([...card.withdrawn(0)]).toEqual([race.runners[2]!.horseId]);
    card.finished(0);
    expect(card.openRaces()).toEqual([1]);
    expect(card.hasRun(0)).toBe(true);
    card.opened(0);
    expect(card.openRaces()).toEqual([1]);
  });
});
