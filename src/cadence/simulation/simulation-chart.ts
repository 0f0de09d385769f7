import type { ScenarioRuns } from './simulation-report.js';

const WIDTH = 1000;
const LEFT = 70;
const RIGHT = 150;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const STALENESS_HEIGHT = 240;
const LOAD_HEIGHT = 130;
const GAP = 34;
const SECTION_HEIGHT = 36 + STALENESS_HEIGHT + GAP + LOAD_HEIGHT + 58;
const COLORS: Readonly<Record<string, string>> = {
  'fixed 1m': '#9ecae1',
  'fixed 5m': '#6baed6',
  'fixed 15m': '#3182bd',
  'fixed 1h': '#08306b',
  adaptive: '#e6550d',
};
// Staleness axis: logarithmic from 10 s to 24 h.
const STALE_MIN_MS = 10_000;
const STALE_MAX_MS = 86_400_000;
const STALE_TICKS: readonly [number, string][] = [
  [10_000, '10 s'],
  [60_000, '1 min'],
  [600_000, '10 min'],
  [3_600_000, '1 h'],
  [21_600_000, '6 h'],
  [86_400_000, '24 h'],
];

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (value: number): string => value.toFixed(1);

/** Groups a per-minute series into buckets of `size` minutes, with max or mean. */
function bucket(series: readonly number[], size: number, how: 'max' | 'mean'): number[] {
  const out: number[] = [];
  for (let start = 0; start < series.length; start += size) {
    const part = series.slice(start, start + size);
    out.push(
      how === 'max' ? Math.max(0, ...part) : part.reduce((sum, value) => sum + value, 0) / part.length,
    );
  }
  return out;
}

function polyline(
  values: readonly number[],
  x: (index: number) => number,
  y: (value: number) => number,
  color: string,
  width: number,
): string {
  const points = values.map((value, index) => `${fixed(x(index))},${fixed(y(value))}`).join(' ');
  return `<polyline fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round" points="${points}"/>`;
}

function timeAxis(section: ScenarioRuns, top: number, height: number, minutes: number): string[] {
  const { scenario } = section;
  const spanMs = minutes * 60_000;
  const stepMs = spanMs > 2 * 86_400_000 ? 86_400_000 : spanMs > 12 * 3_600_000 ? 3 * 3_600_000 : 3_600_000;
  const parts: string[] = [];
  for (let at = scenario.measureFrom; at <= scenario.measureFrom + spanMs; at += stepMs) {
    const x = LEFT + ((at - scenario.measureFrom) / spanMs) * PLOT_WIDTH;
    const date = new Date(at);
    const label =
      stepMs === 86_400_000
        ? date.toLocaleDateString('en-GB', {
            weekday: 'short',
            day: 'numeric',
            month: 'short',
            timeZone: 'UTC',
          })
        : `${String(date.getUTCHours()).padStart(2, '0')}:00`;
    parts.push(`<line x1="${fixed(x)}" y1="${top}" x2="${fixed(x)}" y2="${top + height}" stroke="#e5e5e5"/>`);
    if (at < scenario.measureFrom + spanMs)
      parts.push(
        `<text x="${fixed(x + 3)}" y="${top + height + 14}" font-size="11" fill="#555">${escape(label)}</text>`,
      );
  }
  return parts;
}

function section(data: ScenarioRuns, top: number): string[] {
  const results = data.runs.map((run) => run.result);
  const minutes = results[0]?.loadPerMinute.length ?? 0;
  const size = minutes > 3 * 1_440 ? 30 : minutes > 720 ? 5 : 2;
  const count = Math.ceil(minutes / size);
  const x = (index: number): number => LEFT + ((index + 0.5) / count) * PLOT_WIDTH;
  const staleTop = top + 36;
  const loadTop = staleTop + STALENESS_HEIGHT + GAP;
  const staleY = (ms: number): number => {
    const clamped = Math.min(STALE_MAX_MS, Math.max(STALE_MIN_MS, ms));
    const share = Math.log(clamped / STALE_MIN_MS) / Math.log(STALE_MAX_MS / STALE_MIN_MS);
    return staleTop + STALENESS_HEIGHT * (1 - share);
  };
  const loadY = (load: number): number => loadTop + LOAD_HEIGHT * (1 - Math.min(1, load));
  const overload = data.scenario.target.overloadUtilization;
  const parts = [
    `<text x="${LEFT}" y="${top + 16}" font-size="15" font-weight="bold">${escape(data.scenario.title)}</text>`,
    `<text x="${LEFT}" y="${top + 31}" font-size="12" fill="#444">High-tier staleness (largest per ${size} min, log scale) and ERP load (mean per ${size} min)</text>`,
    `<rect x="${LEFT}" y="${staleTop}" width="${PLOT_WIDTH}" height="${STALENESS_HEIGHT}" fill="#fafafa" stroke="#ccc"/>`,
    `<rect x="${LEFT}" y="${loadTop}" width="${PLOT_WIDTH}" height="${LOAD_HEIGHT}" fill="#fafafa" stroke="#ccc"/>`,
    ...timeAxis(data, staleTop, STALENESS_HEIGHT, minutes),
    ...timeAxis(data, loadTop, LOAD_HEIGHT, minutes),
  ];
  for (const [ms, label] of STALE_TICKS) {
    const y = staleY(ms);
    parts.push(
      `<line x1="${LEFT}" y1="${fixed(y)}" x2="${LEFT + PLOT_WIDTH}" y2="${fixed(y)}" stroke="#e5e5e5"/>`,
    );
    parts.push(
      `<text x="${LEFT - 6}" y="${fixed(y + 4)}" font-size="11" text-anchor="end" fill="#555">${label}</text>`,
    );
  }
  for (const load of [0, 0.5, 1]) {
    parts.push(
      `<text x="${LEFT - 6}" y="${fixed(loadY(load) + 4)}" font-size="11" text-anchor="end" fill="#555">${load * 100}%</text>`,
    );
  }
  parts.push(
    `<line x1="${LEFT}" y1="${fixed(loadY(overload))}" x2="${LEFT + PLOT_WIDTH}" y2="${fixed(loadY(overload))}" stroke="#c00" stroke-dasharray="5,4"/>`,
    `<text x="${LEFT + PLOT_WIDTH + 6}" y="${fixed(loadY(overload) + 4)}" font-size="11" fill="#c00">overloaded ≥ ${overload * 100}%</text>`,
    `<text x="18" y="${fixed(staleTop + STALENESS_HEIGHT / 2)}" font-size="12" fill="#333" transform="rotate(-90 18 ${fixed(staleTop + STALENESS_HEIGHT / 2)})" text-anchor="middle">staleness</text>`,
    `<text x="18" y="${fixed(loadTop + LOAD_HEIGHT / 2)}" font-size="12" fill="#333" transform="rotate(-90 18 ${fixed(loadTop + LOAD_HEIGHT / 2)})" text-anchor="middle">ERP load</text>`,
  );
  // Adaptive last, so it is drawn on top.
  const ordered = [...results].sort(
    (a, b) => Number(a.strategy === 'adaptive') - Number(b.strategy === 'adaptive'),
  );
  ordered.forEach((result) => {
    const color = COLORS[result.strategy] ?? '#777';
    const width = result.strategy === 'adaptive' ? 2.2 : 1.2;
    parts.push(polyline(bucket(result.stalenessPerMinute.high, size, 'max'), x, staleY, color, width));
    parts.push(polyline(bucket(result.loadPerMinute, size, 'mean'), x, loadY, color, width));
  });
  results.forEach((result, index) => {
    const y = staleTop + 12 + index * 18;
    const color = COLORS[result.strategy] ?? '#777';
    parts.push(
      `<line x1="${LEFT + PLOT_WIDTH + 8}" y1="${y}" x2="${LEFT + PLOT_WIDTH + 30}" y2="${y}" stroke="${color}" stroke-width="3"/>`,
    );
    parts.push(
      `<text x="${LEFT + PLOT_WIDTH + 36}" y="${y + 4}" font-size="12">${escape(result.strategy)}</text>`,
    );
  });
  return parts;
}

/** `docs/simulation.svg`: per scenario, the high tier's staleness and the ERP's load over time. */
export function renderChart(scenarios: readonly ScenarioRuns[]): string {
  const height = scenarios.length * SECTION_HEIGHT + 10;
  const body = scenarios.flatMap((data, index) => section(data, 10 + index * SECTION_HEIGHT));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
