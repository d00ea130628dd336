import { describe, expect, it } from 'vitest';
import { csvLine } from '../../../bench/csv.js';

describe('csvLine', () => {
  it('writes NULL as an empty field and every string quoted, quotes doubled', () => {
    expect(csvLine(['a', '', null, undefined, 'say "hi", ok'])).toBe('"a","",,,"say ""hi"", ok"\n');
  });

  it('writes numbers, booleans and times as PostgreSQL reads them', () => {
    expect(csvLine([1.5, -0.25, 1e21, NaN, Infinity, true, false])).toBe(
      '1.5,-0.25,1e+21,NaN,Infinity,true,false\n',
    );
    expect(csvLine([new Date(Date.UTC(2026, 10, 23, 12, 0, 0, 5))])).toBe('2026-11-23T12:00:00.005Z\n');
  });

  it('refuses values without a CSV form rather than write something wrong', () => {
    expect(() => csvLine([{ a: 1 }])).toThrow(TypeError);
    expect(() => csvLine([['x']])).toThrow(TypeError);
  });
});
