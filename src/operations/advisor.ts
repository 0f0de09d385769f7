import { planFlows, type FlowPlanInput, type FlowRecommendation } from '../cadence/advisor.js';
import { runLoadProbe, type LoadProbeOptions } from '../cadence/load-probe.js';
import { parseProbeCurve, PROBE_META, probeMetaFlow, type ProbeCurve } from '../cadence/probe-curve.js';
import type { JsonValue } from '../core/values.js';
import { invalidRequest, type OperationsContext } from './operations-context.js';

/** Runs of history per flow the advisor reads. */
const HISTORY_RUNS = 2_000;

/**
 * Per flow, an interval and batch size that meet its freshness objective with headroom, from its
 * run history and its target's stored probe curve. Read-only: it changes no config and no state.
 */
export async function planCadence(context: OperationsContext): Promise<FlowRecommendation[]> {
  const inputs: FlowPlanInput[] = await Promise.all(
    context.flows.map(async (flow) => {
      const [runs, stored] = await Promise.all([
        context.state.listRuns({ flow: flow.name, limit: HISTORY_RUNS }),
        context.state.getFlowMeta(probeMetaFlow(flow.targetConnection), PROBE_META.name),
      ]);
      return {
        flow: flow.name,
        targetConnection: flow.targetConnection,
        cadence: flow.cadence,
        batchSize: flow.source.batchSize,
        runs,
        probe: parseProbeCurve(stored),
      };
    }),
  );
  return planFlows(inputs);
}

/**
 * A bounded load test of a target connection in a scratch table it creates and always drops; the
 * curve is stored (flow meta `probe` of the pseudo-flow `connection:<NAME>`) for `planCadence`.
 * Undefined when `signal` stopped it (nothing is stored then).
 */
export async function probeTarget(
  context: OperationsContext,
  request: {
    readonly connection: string;
    readonly maxMs: number;
    readonly signal: AbortSignal;
    readonly onProgress?: LoadProbeOptions['onProgress'];
  },
): Promise<ProbeCurve | undefined> {
  const connector = context.connector(request.connection);
  if (connector.createScratchTable === undefined || !connector.capabilities.target)
    throw invalidRequest(
      `connection ${request.connection} cannot be probed: its connector cannot create a scratch table (or is not a target)`,
    );
  const curve = await runLoadProbe(connector, {
    connection: request.connection,
    maxMs: request.maxMs,
    signal: request.signal,
    ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }),
  }).catch((error: unknown) => {
    if (request.signal.aborted) return undefined;
    throw error;
  });
  if (curve === undefined) return undefined;
  await context.state.setFlowMeta(
    probeMetaFlow(request.connection),
    PROBE_META.name,
    curve as unknown as JsonValue,
  );
  return curve;
}
