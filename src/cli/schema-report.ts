import type { SyncConfig } from '../config/config-schema.js';
import type { Connector, TableSchema } from '../core/connector.js';
import { isConnectionFailure, toSyncError } from '../core/errors.js';
import type { Flow } from '../core/flow.js';
import { checkFlowSchema } from '../core/schema-check.js';
import type { SchemaFinding } from '../core/schema-finding.js';

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
  engine: { connector(name: string): Connector; readonly config: Pick<SyncConfig, 'flows'> },
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

/** Flows whose schemas are checked at the same time (each describes its source and target table). */
const SCHEMA_CHECKS_AT_ONCE = 8;

/**
 * Checks flows against the live schemas of their source and target, before any cycle runs:
 * every finding, acknowledged warnings included (see checkSchemaReport).
 * A connection that cannot be reached is an error finding naming the connection.
 */
export async function checkSchemas(
  engine: { connector(name: string): Connector },
  flows: readonly Flow[],
  signal: AbortSignal,
): Promise<SchemaFinding[]> {
  const cache = new Map<string, Promise<TableSchema | undefined>>();
  // A connection that fails as a whole is reported once, naming every flow it stopped.
  const failedConnections = new Map<string, { message: string; flows: string[] }>();
  const describe = (connection: string, table: string): Promise<TableSchema | undefined> => {
    const cacheKey = `${connection}\u0000${table}`;
    let pending = cache.get(cacheKey);
    if (pending === undefined) {
      pending = engine
        .connector(connection)
        .describeTable(table, signal)
        .catch((error: unknown) => {
          throw new ConnectionCheckFailure(connection, error);
        });
      cache.set(cacheKey, pending);
    }
    return pending;
  };
  const checkFlow = async (flow: Flow): Promise<SchemaFinding[]> => {
    try {
      // A side that cannot describe tables (a REST API, an inbox) gets no checks on that side.
      const targetDescribes = engine.connector(flow.targetConnection).capabilities.describe;
      const sourceDescribes = engine.connector(flow.sourceConnection).capabilities.describe;
      const [source, target] = await Promise.all([
        sourceDescribes ? describe(flow.sourceConnection, flow.source.table) : undefined,
        targetDescribes ? describe(flow.targetConnection, flow.target.table) : undefined,
      ]);
      return checkFlowSchema(flow, source, target, {
        targetDescribes,
        sourceDescribes,
        sourceNonFiniteFloats: engine.connector(flow.sourceConnection).capabilities.nonFiniteFloats === true,
        targetNonFiniteFloats: engine.connector(flow.targetConnection).capabilities.nonFiniteFloats === true,
      });
    } catch (error) {
      const cause = error instanceof ConnectionCheckFailure ? error.cause : error;
      const syncError = toSyncError(cause, { flow: flow.name });
      if (error instanceof ConnectionCheckFailure && isConnectionFailure(syncError)) {
        const failed = failedConnections.get(error.connection);
        if (failed === undefined)
          failedConnections.set(error.connection, { message: syncError.message, flows: [flow.name] });
        else if (!failed.flows.includes(flow.name)) failed.flows.push(flow.name);
        return [];
      }
      return [
        {
          severity: 'error',
          path: `flows.${flow.name}`,
          message: `cannot read the live schema: ${syncError.message}`,
        },
      ];
    }
  };
  // A few flows at once: one at a time, 10,000 flows took longer than the caller's 60 s budget
  // (two catalog round trips each). Findings keep the flows' order.
  const perFlow: SchemaFinding[][] = flows.map(() => []);
  let next = 0;
  const checkRemaining = async (): Promise<void> => {
    for (let index = next++; index < flows.length; index = next++) {
      const flow = flows[index];
      if (flow !== undefined) perFlow[index] = await checkFlow(flow);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SCHEMA_CHECKS_AT_ONCE, flows.length) }, checkRemaining));
  const findings = perFlow.flat();
  const order = new Map(flows.map((flow, index) => [flow.name, index]));
  const firstIndex = (names: readonly string[]): number => order.get(names[0] ?? '') ?? 0;
  for (const failed of failedConnections.values())
    failed.flows.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  const failures = [...failedConnections].sort(([, a], [, b]) => firstIndex(a.flows) - firstIndex(b.flows));
  for (const [connection, failed] of failures) {
    findings.push({
      severity: 'error',
      path: `connections.${connection}`,
      message: `cannot connect (not checked: ${failed.flows.map((name) => `flows.${name}`).join(', ')}): ${failed.message}`,
    });
  }
  return findings;
}

/** A failure to describe a table, with the connection it happened on. */
class ConnectionCheckFailure extends Error {
  readonly connection: string;

  constructor(connection: string, cause: unknown) {
    super(`connection ${connection} failed`, { cause });
    this.connection = connection;
  }
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
