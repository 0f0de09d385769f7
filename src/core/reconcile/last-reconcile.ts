import type { ReconciliationInput, StateStore } from '../state-store.js';
import { RECONCILE_META } from './reconcile.js';

/** The summary of a flow's last reconcile as status shows it: the drift found, and what repair left. */
export interface LastReconcile extends ReconciliationInput {
  /** Differences found: missing + extra + different. */
  readonly drift: number;
  /** Differences left after `--repair`, when it repaired. */
  readonly driftAfterRepair?: number;
}

function isLastReconcile(value: unknown): value is LastReconcile {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.flow === 'string' &&
    typeof entry.finishedAt === 'string' &&
    typeof entry.drift === 'number' &&
    (entry.status === 'succeeded' || entry.status === 'failed')
  );
}

/** The flow's last reconcile summary, when one was recorded (and has the expected shape). */
export async function readLastReconcile(state: StateStore, flow: string): Promise<LastReconcile | undefined> {
  const value = await state.getFlowMeta(flow, RECONCILE_META);
  return isLastReconcile(value) ? value : undefined;
}
