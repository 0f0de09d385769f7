/** One finding of the schema check, with the config path it is about. */
export interface SchemaFinding {
  /** How serious the finding is. */
  readonly severity: 'error' | 'warning';
  /** Config key path, e.g. `flows.customers.fields.name`. */
  readonly path: string;
  /** What is wrong, in words for the user. */
  readonly message: string;
  /** A warning's stable id (`W-LENGTH customers.name`), which `acknowledge:` names to silence it. */
  readonly id?: string;
}

/**
 * The stable id of a schema-check warning, `W-LENGTH customers.name`: its kind and the column it
 * is about, so a user can acknowledge it in the config (`acknowledge:`) and it stays the same
 * across runs and wording changes.
 */
export function warningId(kind: string, table: string, column: string): string {
  return `W-${kind} ${table}.${column}`;
}
