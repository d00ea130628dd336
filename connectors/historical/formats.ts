/** What a historical file holds; `auto` (elsewhere) decides by the name and the first line. */
export const historyFormats = [
  'betfair-stream',
  'betfair-bsp',
  'odds-csv',
  'the-odds-api',
  'ws-json',
] as const;
export type HistoryFormat = (typeof historyFormats)[number];
