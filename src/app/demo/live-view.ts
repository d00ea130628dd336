import { joinedProviders, type BoardMarket } from './market-board.js';

export interface ViewSnapshot {
  elapsedSeconds: number;
  markets: BoardMarket[];
  /** Records per second by stage over the last refresh. */
  rates: { name: string; perSecond: number; total: number }[];
  lag: { group: string; lag: number }[];
  breakers: { name: string; state: 'closed' | 'half-open' | 'open' }[];
  deadLetters: number;
  /** Arbitrages after commission opened so far (the simulators make a few on purpose). */
  arbitragesOpened: number;
  stores: { timescaleRows: number | null; redisKeys: number | null };
  /** Set when the logs go to a file rather than through the view. */
  log?: { file: string; warnings: number; errors: number; last: string | undefined } | undefined;
}

const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;
const dim = (s: string) => `\x1b[2m${s}\x1b[0m`;
const colour = { closed: '\x1b[32m', 'half-open': '\x1b[33m', open: '\x1b[31m' } as const;

function trim(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

/** One frame of the demo's terminal view, redrawn in place every second. */
export function renderView(s: ViewSnapshot, width = 110): string {
  const lines: string[] = [];
  lines.push(
    bold(`oddsflow demo`) +
      dim(`  ${s.elapsedSeconds.toFixed(0)} s  ·  Ctrl-C stops everything the demo started`),
  );
  lines.push('');
  lines.push(bold('throughput'));
  lines.push(
    '  ' + s.rates.map((r) => `${r.name} ${r.perSecond.toFixed(0)}/s ${dim(`(${r.total})`)}`).join('   '),
  );
  lines.push(
    '  ' +
      `dead letters ${s.deadLetters}   arbitrages opened ${s.arbitragesOpened}   ` +
      `timescale rows ${s.stores.timescaleRows ?? '…'}   redis keys ${s.stores.redisKeys ?? '…'}`,
  );
  lines.push(
    '  lag ' +
      (s.lag.length === 0
        ? '…'
        : s.lag.map((l) => `${l.group.replace(/^.*oddsflow-/, '')} ${l.lag}`).join('  ')),
  );
  lines.push(
    '  breakers ' + s.breakers.map((b) => `${colour[b.state]}${b.name} ${b.state}\x1b[0m`).join('  '),
  );
  if (s.log) {
    const counts = `${s.log.warnings} warning(s), ${s.log.errors} error(s)`;
    const noisy = s.log.warnings + s.log.errors > 0;
    lines.push(
      '  log ' +
        (noisy ? `\x1b[33m${counts}\x1b[0m` : counts) +
        dim(trim(`  ${s.log.last ? `last: ${s.log.last}  ` : ''}${s.log.file}`, Math.max(10, width - 40))),
    );
  }
  lines.push('');
  lines.push(bold('markets') + dim('  best back price (bookmaker) per selection · overround per bookmaker'));
  for (const m of s.markets) {
    const arb = m.arbitrageProfit
      ? ` \x1b[35mARBITRAGE ${(m.arbitrageProfit.profit * 100).toFixed(2)}% ${m.arbitrageProfit.kind}\x1b[0m`
      : '';
    const joined = joinedProviders(m);
    const tag = joined === undefined ? '' : `  \x1b[36m${joined.join(' + ')}\x1b[0m`;
    const phase = m.phase === 'in-play' ? dim(' in play') : '';
    lines.push('  ' + trim(`${m.eventId}  ${m.marketId}`, width - 40) + tag + phase + arb);
    const best = m.best
      .slice(0, 6)
      .map((b) => `${b.selectionId} ${b.bestOdds.toFixed(2)} (${b.bestBookmaker})`)
      .join('  ');
    lines.push('    ' + trim(best, width - 4));
    const books = [...m.books]
      .slice(0, 8)
      .map(([bookmaker, b]) => `${bookmaker} ${(b.overround * 100).toFixed(1)}%`)
      .join('  ');
    lines.push('    ' + dim(trim(books, width - 4)));
  }
  return lines.join('\n');
}
