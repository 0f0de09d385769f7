import { toSyncError } from '../core/errors.js';
import type { OperationsContext } from './operations-context.js';

/** Whether one part Syncline depends on answers. */
export interface ReadinessCheck {
  /** `state`, or `connection:<name>`. */
  readonly name: string;
  readonly ok: boolean;
  /** Round trip in milliseconds, when it answered. */
  readonly latencyMs?: number;
  /** Why not, when it did not (secrets redacted by the caller's error path). */
  readonly message?: string;
}

/** Whether the state store and every connection the flows use answer, each within `timeoutMs`. */
export interface Readiness {
  readonly ok: boolean;
  readonly checks: readonly ReadinessCheck[];
}

async function timed(name: string, work: () => Promise<{ ok: boolean; message?: string }>): Promise<ReadinessCheck> {
  const started = performance.now();
  try {
    const result = await work();
    return { name, ...result, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { name, ok: false, message: toSyncError(error).message };
  }
}

/**
 * Probes the state store (a read) and each connection used by a flow (the connector's probe), in
 * parallel, each bounded by `timeoutMs`: what `GET /readyz` answers.
 */
export async function checkReadiness(context: OperationsContext, timeoutMs = 5_000): Promise<Readiness> {
  const names = [...new Set(context.flows.flatMap((flow) => [flow.sourceConnection, flow.targetConnection]))];
  const checks = await Promise.all([
    timed('state', async () => {
      await context.state.listRuns({ limit: 1 });
      return { ok: true };
    }),
    ...names.map((name) =>
      timed(`connection:${name}`, async () => {
        const result = await context.connector(name).probe(AbortSignal.timeout(timeoutMs));
        return { ok: result.ok, ...(result.message === undefined ? {} : { message: result.message }) };
      }),
    ),
  ]);
  return { ok: checks.every((check) => check.ok), checks };
}
