import type { Connector, TableSchema } from '../core/connector.js';
import { toSyncError } from '../core/errors.js';
import type { Flow } from '../core/flow.js';
import { checkFlowSchema } from '../core/schema-check.js';
import type { SchemaFinding } from '../core/schema-finding.js';

/**
 * Checks flows against the live schemas of their source and target, before any cycle runs.
 * A connection that cannot be reached is an error finding naming the connection.
 */
export async function checkSchemas(
  engine: { connector(name: string): Connector },
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

/** Prints findings one per line: `error   flows.x.fields.y: message`. */
export function formatFindings(findings: readonly SchemaFinding[]): string {
  return findings
    .map(
      (finding) =>
        `  ${finding.severity === 'error' ? 'error  ' : 'warning'} ${finding.path}: ${finding.message}`,
    )
    .join('\n');
}
