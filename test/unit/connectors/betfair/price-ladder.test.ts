import { describe, expect, it } from 'vitest';
import { ticksAway, toTick } from '../../../../connectors/betfair/price-ladder.js';

describe('Betfair price ladder', () => {
  it('rounds to valid prices within each band, without floating-point slips', () => {
    expect(toTick(1.234, 'down')).toBe(1.23);
    expect(toTick(2.011, 'up')).toBe(2.02);
    expect(toTick(3.1, 'down')).toBe(3.1);
    expect(toTick(3.12, 'nearest')).toBe(3.1);
    expect(toTick(5.06, 'nearest')).toBe(5.1);
    expect(toTick(19.9, 'up')).toBe(20);
    expect(toTick(47, 'down')).toBe(46);
    expect(toTick(0.5, 'down')).toBe(1.01);
    expect(toTick(5000, 'up')).toBe(1000);
  });

  it('steps ticks across band edges and stops at the ends of the ladder', () => {
    expect(ticksAway(1.99, 1)).toBe(2);
    expect(ticksAway(2, 1)).toBe(2.02);
    expect(ticksAway(2, -1)).toBe(1.99);
    expect(ticksAway(10, -2)).toBe(9.6);
    expect(ticksAway(100, 1)).toBe(110);
    expect(ticksAway(1.01, -3)).toBe(1.01);
    expect(ticksAway(990, 5)).toBe(1000);
  });
});
