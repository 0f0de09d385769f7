import { emptyCounts } from '../core/batch-handler.js';
import { audited } from '../core/audit.js';
import type { Connector, ReadRange } from '../core/connector.js';
import { cursorBoundProblem } from '../core/cursor-bounds.js';
import type { Flow } from '../core/flow.js';
import type { ColumnKind, ScalarValue } from '../core/values.js';
import type { SyncErrorJson } from '../core/errors.js';
import { resyncAll, resyncKeys, resyncRange, type ResyncResult } from '../core/resync.js';
import type { RunCounts } from '../core/state-store.js';
import type { JsonValue } from '../core/values.js';
import type { Actor } from './flow-control.js';
import { findFlow, invalidRequest, type OperationsContext } from './operations-context.js';

/** What to write again: chosen keys, a key or cursor range, or the whole flow (`all`). */
export type ResyncTarget =
  { readonly keys: readonly string[] } | { readonly range: ReadRange } | { readonly all: true };

/** A record a resync could not write, with the reason it was dead-lettered. */
export interface ResyncFailure {
  readonly key: string;
  readonly reason: string;
  readonly field?: string;
}

/** What a resync did. */
export interface ResyncOutcome {
  readonly flow: string;
  readonly mode: 'keys' | 'range' | 'all';
  readonly status: 'succeeded' | 'failed';
  readonly counts: RunCounts;
  /** Keys asked for that the source does not have. */
  readonly missingKeys: readonly string[];
  /** Records of this resync that were dead-lettered (the first 1,000). */
  readonly deadLettered: readonly ResyncFailure[];
  readonly error: SyncErrorJson | undefined;
  readonly durationMs: number;
}

/** Resyncs take up to an hour before they are stopped. */
const RESYNC_TIMEOUT_MS = 60 * 60_000;

function describeRange(range: ReadRange): string {
  const parts: string[] = [];
  if (range.fromKey !== undefined || range.toKey !== undefined)
    parts.push(`keys ${String(range.fromKey ?? '…')} to ${String(range.toKey ?? '…')}`);
  if (range.fromCursor !== undefined || range.toCursor !== undefined)
    parts.push(`changed ${String(range.fromCursor ?? '…')} to ${String(range.toCursor ?? '…')}`);
  return parts.join(', ');
}

/**
 * Refuses cursor bounds the cursor column cannot be compared with (`--since garbage`) before the
 * database sees them: REQUEST_INVALID, exit code 2. The column's kind comes from the live schema
 * when the source can describe it.
 */
async function checkCursorBounds(flow: Flow, source: Connector, range: ReadRange, signal: AbortSignal): Promise<void> {
  const bounds = [
    ['--since', range.fromCursor],
    ['--until', range.toCursor],
  ].filter((bound): bound is [string, ScalarValue] => bound[1] !== undefined);
  if (bounds.length === 0) return;
  let kind: ColumnKind | undefined;
  try {
    const table = await source.describeTable(flow.source.table, signal);
    kind = table?.columns.find((column) => column.name === flow.source.cursor)?.kind;
  } catch {
    kind = undefined; // Not described: the bounds are checked for their form only.
  }
  for (const [option, bound] of bounds) {
    const problem = cursorBoundProblem(String(bound), kind);
    if (problem !== undefined)
      throw invalidRequest(`${option}: ${problem} (cursor ${flow.source.table}.${flow.source.cursor})`, { flow: flow.name });
  }
}

function modeOf(target: ResyncTarget): ResyncOutcome['mode'] {
  if ('all' in target) return 'all';
  return 'keys' in target ? 'keys' : 'range';
}

function outcomeOf(flow: string, result: ResyncResult, mode: ResyncOutcome['mode']): ResyncOutcome {
  return {
    flow,
    mode,
    status: result.status === 'succeeded' ? 'succeeded' : 'failed',
    counts: result.counts,
    missingKeys: result.missingKeys,
    deadLettered: result.deadLettered,
    error: result.error?.toJSON(),
    durationMs: result.durationMs,
  };
}

/**
 * Writes records again from the source, even when unchanged (the target may have drifted), under
 * the flow's lease and audited: chosen keys, a key range or a cursor (time) range, or — `all` —
 * forgets the flow's checkpoints so its next cycle reads the whole source again (records whose
 * content did not change are still skipped by hash). A running cycle is waited for, so it cannot
 * write its checkpoint back over the reset.
 */
export async function resyncFlow(
  context: OperationsContext,
  request: Actor & { readonly flow: string; readonly target: ResyncTarget },
): Promise<ResyncOutcome> {
  const flow = findFlow(context, request.flow);
  const { target } = request;
  const mode = modeOf(target);
  if ('keys' in target && target.keys.length === 0)
    throw invalidRequest('resync needs at least one key', { flow: flow.name });
  if ('range' in target && Object.values(target.range).every((value) => value === undefined))
    throw invalidRequest('a resync range needs a key range and/or a cursor range', { flow: flow.name });
  const ports = context.portsFor(flow);
  const signal = AbortSignal.timeout(RESYNC_TIMEOUT_MS);
  if ('range' in target) await checkCursorBounds(flow, ports.source, target.range, signal);
  if ('all' in target) {
    return audited(
      context.state,
      { actor: request.actor, action: 'resync.all', flow: flow.name, subject: 'whole flow' },
      async () => {
        const started = Date.now();
        await resyncAll(flow, ports, signal);
        const value: ResyncOutcome = {
          flow: flow.name,
          mode,
          status: 'succeeded',
          counts: emptyCounts(),
          missingKeys: [],
          deadLettered: [],
          error: undefined,
          durationMs: Date.now() - started,
        };
        return { value, isSuccess: true, outcome: 'checkpoint reset' };
      },
    );
  }
  const subject = 'keys' in target ? `keys ${target.keys.join(', ')}` : describeRange(target.range);
  // The range as JSON (no undefined bounds), for the audit entry's details.
  const details =
    'keys' in target ? { keys: [...target.keys] } : (JSON.parse(JSON.stringify(target.range)) as JsonValue);
  return audited(
    context.state,
    { actor: request.actor, action: 'resync', flow: flow.name, subject, details },
    async () => {
      const result =
        'keys' in target
          ? await resyncKeys(flow, ports, target.keys, { trigger: 'resync', signal })
          : await resyncRange(flow, ports, target.range, { trigger: 'resync', signal });
      const value = outcomeOf(flow.name, result, mode);
      const { counts } = value;
      const lettered = counts.quarantined + counts.failed;
      return {
        value,
        isSuccess: value.status === 'succeeded' && lettered === 0,
        outcome: `${value.status}: ${counts.read} read, ${counts.written} written, ${lettered} dead-lettered, ${value.missingKeys.length} not found`,
      };
    },
  );
}
