/** One problem in a config file: where it is and what is wrong. */
export interface ConfigIssue {
  /** Dotted path of the bad key, e.g. `flows.customers.fields.status.map`. */
  readonly path: string;
  readonly message: string;
}

/** A config that cannot be used; carries every problem found, each with its key path (exit code 2). */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { file?: string; cause?: unknown }) {
    const where = options?.file === undefined ? 'The configuration' : options.file;
    const lines = issues.map((issue) => `  ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`);
    super(`${where} has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, {
      cause: options?.cause,
    });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Formats a path of keys and indexes the way users read it: `flows.orders.fields.total`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
    )
    .join('');
}
