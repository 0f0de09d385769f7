import type { TableSchema } from '../core/connector.js';
import { toSyncError } from '../core/errors.js';
import type { Flow } from '../core/flow.js';
import { checkFlowSchema } from '../core/schema-check.js';
import type { SchemaFinding } from '../core/schema-finding.js';
import type { Engine } from './engine.js';

/** What the live schema check found: what to report, and the warnings the config acknowledges. */
export interface SchemaReport {
  readonly findings: readonly SchemaFinding[];
  /** Warnings whose id a flow lists under `acknowledge:`; reported in one line, if at all. */
  readonly acknowledged: readonly SchemaFinding[];
}

/**
 * Checks flows against the live schemas of their source and target, before any cycle runs, and
 * sets apart the warnings each flow acknowledges (`acknowledge: [W-LENGTH customers.name]`).
 */
export async function checkSchemaReport(
  engine: Engine,
  flows: readonly Flow[],
  signal: AbortSignal,
): Promise<SchemaReport> {
  const findings: SchemaFinding[] = [];
  const acknowledged: SchemaFinding[] = [];
  for (const finding of await checkSchemas(engine, flows, signal)) {
    // Paths start `flows.<name>.`; flow names hold no dot.
    const flow = /^flows\.([^.]+)/.exec(finding.path)?.[1];
    const ids = flow === undefined ? [] : (engine.config.flows[flow]?.acknowledge ?? []);
    const isAcknowledged =
      finding.severity === 'warning' && finding.id !== undefined && ids.includes(finding.id);
    (isAcknowledged ? acknowledged : findings).push(finding);
  }
  return { findings, acknowledged };
}

/**
 * Checks flows against the live schemas of their source and target, before any cycle runs:
 * every finding, acknowledged warnings included (see checkSchemaReport).
 * A connection that cannot be reached is an error finding naming the connection.
 */
export async function checkSchemas(
  engine: Engine,
  flows: readonly Flow[],
  signal: AbortSignal,
): Promise<SchemaFinding[]> {
  const cache = new Map<string, Promise<TableSchema | undefined>>();
  const describe = (connection: string, table: string): Promise<TableSchema | undefined> => {
    const cacheKey = `${connection}\u0000${table}`;
    let pending = cache.get(cacheKey);
    if (pending === undefined) {
      pending = engine.connector(connection).describeTable(table, signal);
      cache.set(cacheKey, pending);
    }
    return pending;
  };
  const findings: SchemaFinding[] = [];
  for (const flow of flows) {
    try {
      // A target that cannot describe tables (a REST API) gets no target-side checks.
      const targetDescribes = engine.connector(flow.targetConnection).capabilities.describe;
      const [source, target] = await Promise.all([
        describe(flow.sourceConnection, flow.source.table),
        targetDescribes ? describe(flow.targetConnection, flow.target.table) : undefined,
      ]);
      findings.push(...checkFlowSchema(flow, source, target, { targetDescribes }));
    } catch (error) {
      const syncError = toSyncError(error, { flow: flow.name });
      findings.push({
        severity: 'error',
        path: `flows.${flow.name}`,
        message: `cannot read the live schema: ${syncError.message}`,
      });
    }
  }
  return findings;
}

/** One finding as `flows.x.fields.y: message`, a warning followed by its id to acknowledge it. */
export function describeFinding(finding: SchemaFinding): string {
  return `${finding.path}: ${finding.message}${finding.id === undefined ? '' : ` [${finding.id}]`}`;
}

/** Prints findings one per line: `error   flows.x.fields.y: message`, a warning with its id. */
export function formatFindings(findings: readonly SchemaFinding[]): string {
  return findings
    .map((finding) => `  ${finding.severity === 'error' ? 'error  ' : 'warning'} ${describeFinding(finding)}`)
    .join('\n');
}

/** One line naming the acknowledged warnings, or '' when there are none. */
export function formatAcknowledged(acknowledged: readonly SchemaFinding[]): string {
  if (acknowledged.length === 0) return '';
  const ids = [...new Set(acknowledged.map((finding) => finding.id ?? finding.path))];
  return `acknowledged: ${ids.length} warning${ids.length === 1 ? '' : 's'} (${ids.join(', ')})`;
}
