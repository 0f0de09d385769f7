import { relative } from 'node:path';
import { formatDuration } from '../../config/duration.js';
import type { DeadLetter } from '../../core/state-store.js';
import { DEMO_CHANGE_KINDS, type DemoChangeCounts } from './demo-changes.js';
import type { DemoSeedCounts, DemoPaths } from './demo-setup.js';
import type { DemoFlowSummary } from './demo-summary.js';

const number = (value: number): string => value.toLocaleString('en');

function staleness(summary: DemoFlowSummary): string {
  if (summary.stalenessMs === undefined) return summary.isRunning ? 'first cycle…' : '-';
  return summary.stalenessMs < 60_000
    ? `${(summary.stalenessMs / 1000).toFixed(1)}s`
    : formatDuration(summary.stalenessMs);
}

function cycles(summary: DemoFlowSummary): string {
  const running = summary.isRunning ? '*' : '';
  return `${summary.cycles}${summary.failedCycles > 0 ? ` (+${summary.failedCycles} failed)` : ''}${running}`;
}

/** Lays out rows as aligned columns; numbers align right. */
function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: ReadonlySet<number>,
): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const format = (row: readonly string[]): string =>
    row
      .map((cell, column) =>
        rightAligned.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)];
}

/** The per-flow table: tier, cadence, cycles, rows, dead letters, staleness, CRM vs ERP rows. */
export function formatFlowTable(summaries: readonly DemoFlowSummary[]): string[] {
  const header = [
    'flow',
    'tier',
    'cadence',
    'cycles',
    'read',
    'written',
    'dead letters',
    'staleness',
    'CRM rows',
    'ERP rows',
  ];
  const rows = summaries.map((summary) => [
    summary.flow,
    summary.tier,
    summary.cadence,
    cycles(summary),
    number(summary.read),
    number(summary.written),
    number(summary.deadLetters),
    staleness(summary),
    number(summary.crmRows),
    number(summary.erpRows),
  ]);
  const lines = table(header, rows, new Set([3, 4, 5, 6, 8, 9]));
  for (const summary of summaries)
    if (summary.lastError !== undefined)
      lines.push(`  ${summary.flow}: last cycle failed: ${summary.lastError}`);
  return lines;
}

/** What the change generator did, in two lines: sales, then master data. */
export function formatChanges(counts: DemoChangeCounts): string[] {
  const parts = Object.entries(DEMO_CHANGE_KINDS).map(
    ([kind, label]) => `${label} ${number(counts[kind as keyof DemoChangeCounts])}`,
  );
  return [`CRM changes: ${parts.slice(0, 6).join(', ')}`, `             ${parts.slice(6).join(', ')}`];
}

/** Elapsed time in whole seconds: `0s`, `14s`, `1m5s`. */
function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return seconds === 0 ? '0s' : formatDuration(seconds * 1000);
}

/** The live block: elapsed time, what the generator did, and the flow table. */
export function formatLiveBlock(
  elapsedMs: number,
  durationMs: number | undefined,
  counts: DemoChangeCounts,
  summaries: readonly DemoFlowSummary[],
): string[] {
  const time =
    durationMs === undefined
      ? `${clock(elapsedMs)} (Ctrl-C stops)`
      : `${clock(elapsedMs)} of ${formatDuration(durationMs)} (Ctrl-C stops early)`;
  return [
    `Syncline demo: ${time}`,
    ...formatChanges(counts),
    '',
    ...formatFlowTable(summaries),
    '',
    '* = a cycle is running now',
  ];
}

/** What the demo starts with, printed once before the live summary. */
export function formatIntro(paths: DemoPaths, seed: DemoSeedCounts): string {
  const at = (table: string): string => number(seed[table] ?? 0);
  return [
    `Syncline demo in ${displayPath(paths.dir)}`,
    `  sample CRM (source) ${displayPath(paths.crm)}: ${at('accounts')} customers, ${at('products')} products, ${at('orders')} orders with ${at('order_lines')} lines, ${at('invoices')} invoices, ${at('stock_levels')} stock levels`,
    `  sample ERP (target) ${displayPath(paths.erp)}: empty; its own table and column names (erp_customer.cust_name, status A/I, …)`,
    `  config ${displayPath(paths.config)}: four tiers of cadence, a dictionary map, exact decimals, validation, soft deletes`,
    '  A change generator now writes new orders every 200 ms, moves stock, issues invoices and edits customers.',
    '',
  ].join('\n');
}

/** A path relative to the working directory when inside it, else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

/** A path quoted for a POSIX shell when it holds anything but plain characters. */
function shellWord(text: string): string {
  return /^[\w./@:+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The closing report: the final table, the dead letters with reasons, the files and what to run next. */
export function formatFinalReport(input: {
  readonly paths: DemoPaths;
  readonly elapsedMs: number;
  readonly counts: DemoChangeCounts;
  readonly summaries: readonly DemoFlowSummary[];
  readonly deadLetters: readonly DeadLetter[];
}): string {
  const { paths } = input;
  const config = shellWord(displayPath(paths.config));
  const synced = input.summaries.filter(
    (summary) => summary.crmRows - summary.deadLetters === summary.erpRows,
  ).length;
  const lines = [
    `Final summary after ${clock(input.elapsedMs)}; the change generator stopped, then every flow ran one last catch-up cycle:`,
    ...formatChanges(input.counts),
    '',
    ...formatFlowTable(input.summaries),
    '',
    `${synced} of ${input.summaries.length} flows: ERP rows = CRM rows − dead letters.`,
    '',
    `Dead letters (${input.deadLetters.length}): records quarantined with their reason, never blocking the rest:`,
    ...input.deadLetters.map(
      (letter) =>
        `  ${letter.flow} key ${letter.key}${letter.field === undefined ? '' : ` (${letter.field})`}: ${letter.reason}`,
    ),
    '',
    `Files in ${displayPath(paths.dir)}:`,
    `  ${displayPath(paths.crm).padEnd(28)} the sample CRM (source)`,
    `  ${displayPath(paths.erp).padEnd(28)} the sample ERP (target)`,
    `  ${displayPath(paths.state).padEnd(28)} Syncline's state: checkpoints, key map, runs, dead letters`,
    `  ${displayPath(paths.config).padEnd(28)} the config the demo ran`,
    '',
    'Look around (from this repository, "syncline" is "node bin/syncline.js"):',
    `  syncline status -c ${config}`,
    `  syncline dlq list -c ${config}`,
    `  syncline run -c ${config}              keep syncing on the same cadences`,
    `  sqlite3 ${shellWord(displayPath(paths.erp))} "SELECT crm_id, cust_name, credit_limit, status FROM erp_customer LIMIT 5"`,
  ];
  return `${lines.join('\n')}\n`;
}
