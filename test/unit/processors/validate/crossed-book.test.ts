import { describe, expect, it } from 'vitest';
import { CrossedBookMemory, type SidePrice } from '../../../../processors/validate/crossed-book.js';

const price = (selectionId: string, decimalOdds: number | null, index = 0): SidePrice => ({
  selectionId,
  path: `selections[${index}].price`,
  decimalOdds,
});

const T = 1_700_000_000_000;

describe('CrossedBookMemory', () => {
  it('flags a back above the lay of the same selection, whichever side arrives second', () => {
    const memory = new CrossedBookMemory();
    memory.record('m', 'back', [price('a', 5.9), price('b', 4.8, 1)], T);
    expect(memory.check('m', 'lay', [price('a', 6.1), price('b', 4.6, 1)], T)).toEqual([
      {
        path: 'selections[1].price',
        code: 'CROSSED_BOOK',
        message: 'best back 4.8 is above best lay 4.6 for b in m',
      },
    ]);
    memory.record('m', 'lay', [price('a', 6.1), price('b', 4.6, 1)], T);
    expect(memory.check('m', 'back', [price('a', 6.2)], T).map((i) => i.path)).toEqual([
      'selections[0].price',
    ]);
  });

  it('accepts back equal to lay, other markets, and selections priced on one side only', () => {
    const memory = new CrossedBookMemory();
    memory.record('m', 'back', [price('a', 3), price('b', 2)], T);
    expect(memory.check('m', 'lay', [price('a', 3), price('c', 1.5)], T)).toEqual([]);
    expect(memory.check('other', 'lay', [price('b', 1.5)], T)).toEqual([]);
  });

  it('replaces a side as a whole: a price absent from the newer book is forgotten', () => {
    const memory = new CrossedBookMemory();
    memory.record('m', 'back', [price('a', 3)], T);
    memory.record('m', 'back', [price('a', null)], T);
    expect(memory.check('m', 'lay', [price('a', 2)], T)).toEqual([]);
  });

  it('compares only books of the same instant: a side that moved since is not crossed', () => {
    const memory = new CrossedBookMemory();
    memory.record('m', 'lay', [price('a', 25)], T);
    // The back moved past the older lay; the lay has moved too by then (Betfair sends only changed sides).
    expect(memory.check('m', 'back', [price('a', 26)], T + 250)).toEqual([]);
    memory.record('m', 'back', [price('a', 26)], T + 250);
    expect(memory.check('m', 'lay', [price('a', 27)], T + 250)).toEqual([]);
    expect(memory.check('m', 'lay', [price('a', 25.5)], T + 250)).toHaveLength(1);
  });

  it('keeps at most its capacity of markets, forgetting the least recently used', () => {
    const memory = new CrossedBookMemory(2);
    memory.record('m1', 'back', [price('a', 3)], T);
    memory.record('m2', 'back', [price('a', 3)], T);
    memory.record('m3', 'back', [price('a', 3)], T);
    expect(memory.size).toBe(2);
    expect(memory.check('m1', 'lay', [price('a', 2)], T)).toEqual([]);
    expect(memory.check('m3', 'lay', [price('a', 2)], T)).toHaveLength(1);
    memory.clear();
    expect(memory.size).toBe(0);
  });
});
