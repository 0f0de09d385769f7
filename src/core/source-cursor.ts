import type { SourceSpec } from './connector.js';
import { SyncError } from './errors.js';

/**
 * The cursor column of a source read by a connector that resumes from a cursor
 * (`capabilities.cursor`, every SQL one). `validate` refuses such a flow without `source.cursor`
 * before anything runs; this guards the connector's own entry points all the same.
 */
export function cursorColumn(source: SourceSpec): string {
  if (source.cursor === undefined)
    throw new SyncError(
      'CONFIG_INVALID',
      `Flow "${source.flow}": source.cursor is required by this connection (it reads changes from a cursor column such as updated_at)`,
      { flow: source.flow },
    );
  return source.cursor;
}
