/** A problem found by a cross-reference check: the key path and what is wrong. */
export interface CrossReferenceIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

function entriesOf(value: unknown): [string, unknown][] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
}

function stringAt(value: unknown, key: string): string | undefined {
  const found = entriesOf(value).find(([name]) => name === key)?.[1];
  return typeof found === 'string' ? found : undefined;
}

/**
 * Checks the names a flow refers to — its connections, the flows under `dependsOn`, the target
 * columns under `validate` — on the config tree as written. It reads whatever is there and skips
 * what is malformed, so it also runs when another key failed the schema: one pass reports a
 * misspelt connection name together with a malformed key elsewhere.
 */
export function crossReferenceIssues(tree: unknown): CrossReferenceIssue[] {
  const issues: CrossReferenceIssue[] = [];
  const root = entriesOf(tree);
  const connections = entriesOf(root.find(([key]) => key === 'connections')?.[1]).map(([name]) => name);
  const flows = entriesOf(root.find(([key]) => key === 'flows')?.[1]);
  const flowNames = flows.map(([name]) => name);
  for (const [name, flow] of flows) {
    const parts = new Map(entriesOf(flow));
    for (const side of ['source', 'target'] as const) {
      const connection = stringAt(parts.get(side), 'connection');
      if (connection !== undefined && !connections.includes(connection))
        issues.push({
          path: ['flows', name, side, 'connection'],
          message: `no connection named "${connection}" under "connections" (have: ${connections.join(', ') || 'none'})`,
        });
    }
    const dependsOn = parts.get('dependsOn');
    for (const [index, dependency] of (Array.isArray(dependsOn) ? dependsOn : []).entries()) {
      if (typeof dependency === 'string' && !flowNames.includes(dependency))
        issues.push({
          path: ['flows', name, 'dependsOn', index],
          message: `no flow named "${dependency}" (flows: ${flowNames.join(', ')})`,
        });
    }
    const fields = parts.get('fields');
    if (entriesOf(fields).length === 0) continue;
    const mapped = new Set(entriesOf(fields).map(([column]) => column));
    for (const [column] of entriesOf(parts.get('validate'))) {
      if (!mapped.has(column))
        issues.push({
          path: ['flows', name, 'validate', column],
          message: `"${column}" is not a mapped target column (validation rules apply to the target columns under "fields")`,
        });
    }
  }
  return issues;
}
