/** One finding of the schema check, with the config path it is about. */
export interface SchemaFinding {
  /** How serious the finding is. */
  readonly severity: 'error' | 'warning';
  /** Config key path, e.g. `flows.customers.fields.name`. */
  readonly path: string;
  /** What is wrong, in words for the user. */
  readonly message: string;
}
