import { audited } from '../core/audit.js';
import type { Conflict, ConflictStatus } from '../core/state-store.js';
import { resolveParkedConflict, type ConflictChoice } from '../core/two-way/conflict-resolve.js';
import type { Actor } from './flow-control.js';
import { findFlow, invalidRequest, type OperationsContext } from './operations-context.js';
import { readPage, type Page, type PageRequest } from './page.js';

/** Parked conflicts, newest first, one page at a time, with how many match in all. */
export async function listConflicts(
  context: OperationsContext,
  request: PageRequest & { readonly flow?: string; readonly status?: ConflictStatus },
): Promise<Page<Conflict> & { readonly total: number }> {
  if (request.flow !== undefined) findFlow(context, request.flow);
  const filter = {
    ...(request.flow === undefined ? {} : { flow: request.flow }),
    status: request.status ?? 'open',
  };
  const [page, total] = await Promise.all([
    readPage(request, (limit, beforeId) =>
      context.state.listConflicts({ ...filter, limit, ...(beforeId === undefined ? {} : { beforeId }) }),
    ),
    context.state.countConflicts(filter),
  ]);
  return { ...page, total };
}

/** What resolving a conflict wrote. */
export interface ConflictResolveOutcome {
  readonly flow: string;
  readonly key: string;
  readonly choice: ConflictChoice;
  /** The fields that differed. */
  readonly fields: readonly string[];
  /** Why a side refused the chosen version; empty when it was written and the conflict closed. */
  readonly failures: readonly string[];
}

/**
 * Settles a parked conflict the way an operator chose — `source`, `target` (or either side's
 * connection name) or `merge` (each field from the side that changed it) — under the flow's lease,
 * audited as `conflict.resolve`.
 */
export async function resolveConflict(
  context: OperationsContext,
  request: Actor & { readonly flow: string; readonly key: string; readonly take: string },
): Promise<ConflictResolveOutcome> {
  const flow = findFlow(context, request.flow);
  const { take } = request;
  const choice: ConflictChoice | undefined =
    take === 'merge'
      ? 'merge'
      : take === 'source' || take === flow.sourceConnection
        ? 'source'
        : take === 'target' || take === flow.targetConnection
          ? 'target'
          : undefined;
  if (choice === undefined)
    throw invalidRequest(
      `take must be source, target, merge, ${flow.sourceConnection} or ${flow.targetConnection}, not "${take}"`,
      { flow: flow.name, key: request.key },
    );
  return audited(
    context.state,
    {
      actor: request.actor,
      action: 'conflict.resolve',
      flow: flow.name,
      subject: `key ${request.key}`,
      details: { key: request.key, take: choice },
    },
    async () => {
      const result = await resolveParkedConflict(
        flow,
        context.portsFor(flow),
        request.key,
        choice,
        request.actor,
        AbortSignal.timeout(10 * 60_000),
      );
      const value: ConflictResolveOutcome = {
        flow: flow.name,
        key: request.key,
        choice,
        fields: result.fields,
        failures: result.failures,
      };
      return {
        value,
        isSuccess: result.failures.length === 0,
        outcome:
          result.failures.length === 0
            ? `took ${choice} for ${result.fields.join(', ') || 'no differing field'}`
            : `not resolved: ${result.failures.join('; ')}`,
      };
    },
  );
}
