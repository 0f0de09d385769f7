/** Process exit codes of `syncline` (DESIGN.md). */
export const ExitCodes = {
  ok: 0,
  /** A flow failed: a cycle ended with an error, or a resync/replay did not write everything. */
  flowFailed: 1,
  /** Bad config or usage; nothing ran. */
  badConfig: 2,
} as const;
