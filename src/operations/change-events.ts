import { audited } from '../core/audit.js';
import type { ChangeEventsSetup } from '../core/connector.js';
import type { Actor } from './flow-control.js';
import { findFlow, invalidRequest, type OperationsContext } from './operations-context.js';

/**
 * Creates (`install`) or drops (`remove`) what makes a flow's source send change events — for
 * PostgreSQL a NOTIFY trigger and its function. Both are idempotent and audited
 * (`realtime.install`, `realtime.remove`). Syncline never installs them by itself.
 */
export async function setChangeEvents(
  context: OperationsContext,
  request: Actor & { readonly flow: string; readonly action: 'install' | 'remove' },
): Promise<{ readonly flow: string; readonly setup: ChangeEventsSetup; readonly isRealtime: boolean }> {
  const flow = findFlow(context, request.flow);
  const source = context.connector(flow.sourceConnection);
  if (
    source.capabilities.changeEvents !== true ||
    source.installChangeEvents === undefined ||
    source.removeChangeEvents === undefined
  )
    throw invalidRequest(
      `${flow.name}: connection ${flow.sourceConnection} cannot send change events; a realtime flow on it polls every pollInterval instead`,
      { flow: flow.name },
    );
  const signal = AbortSignal.timeout(60_000);
  const setup = await audited(
    context.state,
    {
      actor: request.actor,
      action: `realtime.${request.action}`,
      flow: flow.name,
      subject: flow.source.table,
    },
    async () => {
      const value =
        request.action === 'install'
          ? await source.installChangeEvents?.(flow.source, signal)
          : await source.removeChangeEvents?.(flow.source, signal);
      if (value === undefined) throw invalidRequest(`${flow.name}: change events are not supported`);
      return { value, isSuccess: true, outcome: value.message };
    },
  );
  return { flow: flow.name, setup, isRealtime: flow.cadence.realtime === true };
}
