import { isTemporalKind, type ColumnKind } from './values.js';

const NUMBER = /^[+-]?\d+(\.\d+)?$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const NUMERIC_KINDS: ReadonlySet<ColumnKind> = new Set(['integer', 'decimal', 'float']);
const EXAMPLE = 'an ISO 8601 timestamp such as 2026-11-01T00:00:00Z';

/** Whether text is an ISO 8601 date or timestamp that names a real day (not 2026-02-30). */
function isIsoTimestamp(text: string): boolean {
  if (!ISO_8601.test(text)) return false;
  const parsed = new Date(text.length === 10 ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text.slice(0, 10);
}

/**
 * Why a cursor bound given by a person (`resync --since`) cannot be compared with the cursor
 * column, or undefined when it can: a time cursor needs an ISO 8601 timestamp, a numeric cursor a
 * number, and text that is neither is refused whatever the column (its kind may be unknown).
 */
export function cursorBoundProblem(bound: string, kind: ColumnKind | undefined): string | undefined {
  const text = bound.trim();
  const isNumber = NUMBER.test(text);
  const isTime = !isNumber && isIsoTimestamp(text);
  if (!isNumber && !isTime) return `"${bound}" is neither a number nor ${EXAMPLE}`;
  if (kind === undefined) return undefined;
  if (isTemporalKind(kind) && !isTime)
    return `"${bound}" is not a time; the cursor column holds times: give ${EXAMPLE}`;
  if (NUMERIC_KINDS.has(kind) && !isNumber)
    return `"${bound}" is not a number; the cursor column holds numbers`;
  return undefined;
}
