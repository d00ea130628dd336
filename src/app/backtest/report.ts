import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BacktestRun } from './engine.js';
import { equityCurve, marketRows, summarise, type BacktestSummary, type EquityPoint } from './metrics.js';

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fixed = (n: number | null, digits = 2) => (n === null ? '–' : n.toFixed(digits));
const percent = (n: number | null) => (n === null ? '–' : `${(n * 100).toFixed(2)} %`);
const iso = (ms: number) =>
  Number.isFinite(ms) && Math.abs(ms) < 8.64e15
    ? new Date(ms).toISOString().replace('.000Z', 'Z')
    : 'unbounded';

/** The equity curve as an SVG line chart (cumulative P&L after each settlement). */
export function equitySvg(curve: readonly EquityPoint[], width = 720, height = 260): string {
  const pad = { left: 60, right: 16, top: 16, bottom: 36 };
  const points = [{ at: curve[0]?.at ?? 0, equity: 0 }, ...curve];
  const xs = points.map((p) => p.at);
  const ys = points.map((p) => p.equity);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(0, ...ys)];
  const sx = (x: number) =>
    pad.left + (x1 === x0 ? 0 : ((x - x0) / (x1 - x0)) * (width - pad.left - pad.right));
  const sy = (y: number) =>
    pad.top +
    (y1 === y0
      ? (height - pad.top - pad.bottom) / 2
      : ((y1 - y) / (y1 - y0)) * (height - pad.top - pad.bottom));
  // A step line: equity changes only at settlements.
  let d = `M${sx(points[0]!.at).toFixed(1)},${sy(0).toFixed(1)}`;
  for (const p of points.slice(1)) d += ` H${sx(p.at).toFixed(1)} V${sy(p.equity).toFixed(1)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<line x1="${pad.left}" y1="${sy(0).toFixed(1)}" x2="${width - pad.right}" y2="${sy(0).toFixed(1)}" stroke="#999" stroke-dasharray="4 3"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#333"/>`,
    `<text x="${pad.left - 6}" y="${(sy(y1) + 4).toFixed(1)}" text-anchor="end">${fixed(y1)}</text>`,
    `<text x="${pad.left - 6}" y="${(sy(y0) + 4).toFixed(1)}" text-anchor="end">${fixed(y0)}</text>`,
    `<text x="${pad.left}" y="${height - 12}">${escape(iso(x0))}</text>`,
    `<text x="${width - pad.right}" y="${height - 12}" text-anchor="end">${escape(iso(x1))}</text>`,
    `<path d="${d}" fill="none" stroke="${(ys[ys.length - 1] ?? 0) >= 0 ? '#1a7f37' : '#cf222e'}" stroke-width="2"/>`,
    `</svg>`,
  ].join('\n');
}

function summaryRows(s: BacktestSummary): [string, string][] {
  return [
    ['bets', `${s.bets} (${s.won} won, ${s.lost} lost, ${s.void} void, ${s.unsettled} unsettled)`],
    ['orders refused', String(s.refused)],
    ['staked', fixed(s.staked)],
    ['P&L (after commission)', fixed(s.pnl)],
    ['commission', fixed(s.commission)],
    ['ROI', percent(s.roi)],
    ['hit rate', percent(s.hitRate)],
    ['Sharpe (per market, not annualised)', fixed(s.sharpe, 3)],
    ['maximum drawdown', fixed(s.maxDrawdown)],
    ['closing-line value', percent(s.closingLineValue)],
    ['pricing records replayed', String(s.quotes)],
  ];
}

export interface WrittenReport {
  html: string;
  svg: string;
  json: string;
  summary: BacktestSummary;
}

/**
 * The report of a run in `dir`: report.html (summary, per-market table, equity chart, bets and
 * refusals), equity.svg and report.json. Only the run's content goes in, no date of writing,
 * so the same run writes the same bytes.
 */
export async function writeReport(run: BacktestRun, dir: string, inputs: string): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const summary = summarise(run);
  const curve = equityCurve(run.settlements);
  const svg = equitySvg(curve);
  const markets = marketRows(run);
  const table = (head: string[], rows: string[][]) =>
    `<table><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
      .map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backtest: ${escape(run.strategy)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}th{background:#f3f3f3}</style></head>
<body>
<h1>Backtest: ${escape(run.strategy)}</h1>
<p>${escape(iso(run.from))} to ${escape(iso(run.to))} · ${escape(inputs)}</p>
${table(['measure', 'value'], summaryRows(summary))}
<h2>Equity curve</h2>
${svg}
<h2>Markets</h2>
${table(
  ['event', 'market', 'bets', 'staked', 'P&L', 'commission', 'ROI'],
  markets.map((m) => [
    m.eventId,
    m.marketId,
    String(m.bets),
    fixed(m.staked),
    fixed(m.pnl),
    fixed(m.commission),
    percent(m.roi),
  ]),
)}
<h2>Bets</h2>
${table(
  [
    '#',
    'placed',
    'event',
    'market',
    'selection',
    'bookmaker',
    'side',
    'odds',
    'stake',
    'closing odds',
    'outcome',
    'gross P&L',
    'why',
  ],
  run.bets.map((b) => [
    String(b.id),
    iso(b.placedAt),
    b.eventId,
    b.marketId,
    b.selectionId,
    b.bookmaker,
    b.side,
    fixed(b.odds),
    fixed(b.stake),
    fixed(b.closingOdds),
    b.outcome,
    fixed(b.grossPnl),
    b.reason ?? '',
  ]),
)}
<h2>Refused orders</h2>
${table(
  ['at', 'event', 'market', 'selection', 'bookmaker', 'side', 'odds', 'reason'],
  run.refusals
    .slice(0, 500)
    .map((r) => [
      iso(r.at),
      r.eventId,
      r.marketId,
      r.order.selectionId,
      r.order.bookmaker,
      r.order.side,
      fixed(r.order.odds),
      r.reason,
    ]),
)}
${run.refusals.length > 500 ? `<p>… and ${run.refusals.length - 500} more (report.json has them all)</p>` : ''}
</body></html>
`;
  const files = {
    html: path.join(dir, 'report.html'),
    svg: path.join(dir, 'equity.svg'),
    json: path.join(dir, 'report.json'),
  };
  await writeFile(files.html, html);
  await writeFile(files.svg, svg + '\n');
  await writeFile(
    files.json,
    JSON.stringify({ summary, markets, equity: curve, bets: run.bets, refusals: run.refusals }, null, 2) +
      '\n',
  );
  return { ...files, summary };
}
