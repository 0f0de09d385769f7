/** What bringing a state store's schema up to date did (`syncline migrate`). */
export interface StateMigrationResult {
  /** The schema version found (0 for an empty store). */
  readonly from: number;
  /** The schema version now. */
  readonly to: number;
  /** The names of the migrations applied, oldest first; empty when the schema was up to date. */
  readonly applied: string[];
}
