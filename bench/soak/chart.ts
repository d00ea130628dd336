import type { MemorySample } from './memory.js';

/**
 * Heap and RSS of the embedded database over the soak, as an SVG line chart: a leak is a line that
 * keeps climbing, which a chart shows at a glance and a table hides.
 */
export function memoryChartSvg(samples: readonly MemorySample[], title: string): string {
  const width = 720;
  const height = 320;
  const pad = { left: 56, right: 16, top: 32, bottom: 40 };
  const series = [
    { name: 'RSS (MB)', colour: '#c0392b', values: samples.map((s) => [s.at, s.rssMb] as const) },
    {
      name: 'V8 heap used (MB)',
      colour: '#2471a3',
      values: samples.map((s) => [s.at, s.heapUsedMb] as const),
    },
  ];
  const xs = samples.map((s) => s.at);
  const ys = series.flatMap((s) => s.values.map(([, y]) => y)).filter((y): y is number => y !== null);
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1, ...ys) * 1.1;
  const x = (t: number) => pad.left + (t / xMax) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - (v / yMax) * (height - pad.top - pad.bottom);
  const lines = series.map((s) => {
    const points = s.values
      .filter((p): p is readonly [number, number] => p[1] !== null)
      .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
      .join(' ');
    return `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${points}"/>`;
  });
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = (yMax * f) / 1.1;
    return `<text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text><line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`;
  });
  const legend = series.map(
    (s, i) =>
      `<rect x="${pad.left + 10 + i * 180}" y="${pad.top - 22}" width="12" height="12" fill="${s.colour}"/><text x="${pad.left + 28 + i * 180}" y="${pad.top - 12}">${s.name}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="14" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`,
    ...yTicks,
    `<line x1="${pad.left}" x2="${width - pad.right}" y1="${height - pad.bottom}" y2="${height - pad.bottom}" stroke="#333"/>`,
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle">minutes since the soak began (last: ${(xMax / 60).toFixed(1)})</text>`,
    ...legend,
    ...lines,
    `</svg>`,
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
