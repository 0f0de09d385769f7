import { addCounts, emptyCounts } from '../core/batch-handler.js';
import { audited } from '../core/audit.js';
import { SyncError } from '../core/errors.js';
import type { CyclePorts } from '../core/cycle-ports.js';
import type { Flow } from '../core/flow.js';
import { resyncKeys } from '../core/resync.js';
import type { DeadLetter, DeadLetterStatus, RunCounts } from '../core/state-store.js';
import { settleKeys } from '../core/two-way/settle-keys.js';
import { listSubject } from './audit-subject.js';
import type { Actor } from './flow-control.js';
import { findFlow, type OperationsContext } from './operations-context.js';
import { everyPage, readPage, type Page, type PageRequest } from './page.js';

/** Which dead letters: of one flow or all, open by default. */
export interface DeadLetterFilter {
  readonly flow?: string;
  /** Default `open`. */
  readonly status?: DeadLetterStatus;
}

function filterOf(context: OperationsContext, filter: DeadLetterFilter): DeadLetterFilter {
  if (filter.flow !== undefined) findFlow(context, filter.flow);
  return { ...(filter.flow === undefined ? {} : { flow: filter.flow }), status: filter.status ?? 'open' };
}

/** Dead letters, newest first, one page at a time, with how many match in all. */
export async function listDeadLetters(
  context: OperationsContext,
  request: DeadLetterFilter & PageRequest,
): Promise<Page<DeadLetter> & { readonly total: number }> {
  const filter = filterOf(context, request);
  const [page, total] = await Promise.all([
    readPage(request, (limit, beforeId) =>
      context.state.listDeadLetters({ ...filter, limit, ...(beforeId === undefined ? {} : { beforeId }) }),
    ),
    context.state.countDeadLetters(filter),
  ]);
  return { ...page, total };
}

/** How many dead letters match, counted in the state store. */
export function countDeadLetters(context: OperationsContext, filter: DeadLetterFilter): Promise<number> {
  return context.state.countDeadLetters(filterOf(context, filter));
}

/** What replaying one flow's dead letters did. */
export interface FlowReplay {
  readonly flow: string;
  /** Open dead letters replayed. */
  readonly replayed: number;
  readonly counts: RunCounts;
  /** Letters still open after the replay, with their (new) reasons (the first 1,000). */
  readonly stillFailing: readonly { readonly id: number; readonly key: string; readonly reason: string }[];
  /** How many are still open in all. */
  readonly stillFailingCount: number;
  /** Letters discarded because their record is no longer at the source. */
  readonly discarded: number;
  readonly status: 'succeeded' | 'failed';
}

/** What a replay did, per flow. */
export interface ReplayOutcome {
  readonly flows: readonly FlowReplay[];
  /** Whether every replayed record is now written. */
  readonly isClean: boolean;
}

/** Dead letters replayed per lease and write pass. */
const REPLAY_PAGE = 1_000;
/** Failures listed in a replay's outcome (all are counted). */
const LISTED_FAILURES = 1_000;
const REPLAY_TIMEOUT_MS = 30 * 60_000;

/**
 * Writes keys again: one-way flows from the source; two-way flows settle each key from both
 * sides' current records, so a target change that failed on its way back goes to the source.
 * Returns the counts and the keys neither side (or the source) has any more.
 */
async function replayKeys(
  flow: Flow,
  ports: CyclePorts,
  keys: readonly string[],
  signal: AbortSignal,
): Promise<{ counts: RunCounts; missing: readonly string[]; isOk: boolean }> {
  if (flow.twoWay === undefined) {
    const result = await resyncKeys(flow, ports, keys, { trigger: 'replay', signal, discardMissing: true });
    return { counts: result.counts, missing: result.missingKeys, isOk: result.status === 'succeeded' };
  }
  const settled = await settleKeys(flow, ports, keys, 'replay', signal, { discardMissing: true });
  return { counts: settled.counts, missing: settled.missing, isOk: true };
}

/** Replays the open letters of one flow, page by page, in one audited action. */
async function replayFlow(
  context: OperationsContext,
  flow: Flow,
  pages: AsyncIterable<readonly DeadLetter[]> | Iterable<readonly DeadLetter[]>,
  request: Actor & { readonly subject: string; readonly details: Record<string, number[] | string> },
): Promise<FlowReplay> {
  const ports = context.portsFor(flow);
  const signal = AbortSignal.timeout(REPLAY_TIMEOUT_MS);
  return audited(
    context.state,
    {
      actor: request.actor,
      action: 'dlq.replay',
      flow: flow.name,
      subject: request.subject,
      details: request.details,
    },
    async () => {
      const counts = emptyCounts();
      let replayed = 0;
      let discarded = 0;
      let isOk = true;
      const stillFailing: FlowReplay['stillFailing'][number][] = [];
      let stillFailingCount = 0;
      for await (const letters of pages) {
        const keys = letters.map((letter) => letter.key);
        const result = await replayKeys(flow, ports, keys, signal);
        addCounts(counts, result.counts);
        replayed += letters.length;
        discarded += result.missing.length;
        isOk &&= result.isOk;
        const open = await context.state.listDeadLetters({
          flow: flow.name,
          status: 'open',
          keys,
          limit: keys.length,
        });
        stillFailingCount += open.length;
        for (const letter of open.slice(0, LISTED_FAILURES - stillFailing.length))
          stillFailing.push({ id: letter.id, key: letter.key, reason: letter.reason });
      }
      const value: FlowReplay = {
        flow: flow.name,
        replayed,
        counts,
        stillFailing,
        stillFailingCount,
        discarded,
        status: isOk && stillFailingCount === 0 ? 'succeeded' : 'failed',
      };
      return {
        value,
        isSuccess: value.status === 'succeeded',
        outcome: `${isOk ? 'succeeded' : 'failed'}: ${counts.written} written, ${stillFailingCount} still failing, ${discarded} no longer at the source`,
      };
    },
  );
}

/**
 * Replays open dead letters after their cause was fixed: each record is read again from the source
 * (two-way flows: from both sides) and written through the normal pipeline, under the flow's lease
 * and audited once per flow. Letters that now succeed are marked replayed; those whose record is
 * gone from the source are discarded; the rest stay open with their new reason. All of a flow's
 * open letters are walked page by page, never loaded at once.
 */
export async function replayDeadLetters(
  context: OperationsContext,
  request: Actor & { readonly flow?: string; readonly ids?: readonly number[] },
): Promise<ReplayOutcome> {
  const results: FlowReplay[] = [];
  if (request.ids !== undefined && request.ids.length > 0) {
    const byFlow = await lettersById(context, request.ids, request.flow);
    for (const [name, letters] of byFlow) {
      const ids = letters.map((letter) => letter.id);
      results.push(
        await replayFlow(context, findFlow(context, name), chunks(letters), {
          actor: request.actor,
          subject: listSubject(
            'dead letters',
            ids.map((id) => `#${id}`),
          ),
          details: { ids },
        }),
      );
    }
  } else {
    const flows = request.flow === undefined ? context.flows : [findFlow(context, request.flow)];
    for (const flow of flows) {
      const open = await context.state.countDeadLetters({ flow: flow.name, status: 'open' });
      if (open === 0) continue;
      const pages = everyPage(
        (limit, beforeId) =>
          context.state.listDeadLetters({
            flow: flow.name,
            status: 'open',
            limit,
            ...(beforeId === undefined ? {} : { beforeId }),
          }),
        REPLAY_PAGE,
      );
      results.push(
        await replayFlow(context, flow, pages, {
          actor: request.actor,
          subject: `${open.toLocaleString('en-US')} open dead letter${open === 1 ? '' : 's'}`,
          details: { status: 'open' },
        }),
      );
    }
  }
  return { flows: results, isClean: results.every((result) => result.status === 'succeeded') };
}

function* chunks(letters: readonly DeadLetter[]): Generator<readonly DeadLetter[]> {
  for (let start = 0; start < letters.length; start += REPLAY_PAGE)
    yield letters.slice(start, start + REPLAY_PAGE);
}

/** The open letters of these ids, by flow; DEAD_LETTER_NOT_FOUND names ids that do not exist. */
async function lettersById(
  context: OperationsContext,
  ids: readonly number[],
  flow: string | undefined,
): Promise<Map<string, DeadLetter[]>> {
  const found = await Promise.all(ids.map((id) => context.state.getDeadLetter(id)));
  const missing = ids.filter((_, index) => {
    const letter = found[index];
    return letter === undefined || (flow !== undefined && letter.flow !== flow);
  });
  if (missing.length > 0)
    throw new SyncError(
      'DEAD_LETTER_NOT_FOUND',
      `no dead letter with id ${missing.join(', ')}${flow === undefined ? '' : ` in flow ${flow}`}`,
    );
  const byFlow = new Map<string, DeadLetter[]>();
  for (const letter of found)
    if (letter !== undefined && letter.status === 'open')
      byFlow.set(letter.flow, [...(byFlow.get(letter.flow) ?? []), letter]);
  return byFlow;
}
