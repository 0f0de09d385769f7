import type {
  Change,
  ChangeBatch,
  Checkpoint,
  Connector,
  SourceSpec,
  TargetRecord,
  TargetSpec,
} from '../../../src/core/connector.js';
import type { Row } from '../../../src/core/values.js';

/** A source spec with test defaults: key `id`, cursor `updated_at`, batch 1,000, no lookback. */
export function sourceSpec(
  table: string,
  columns: readonly string[],
  overrides: Partial<SourceSpec> = {},
): SourceSpec {
  return {
    flow: 'test-flow',
    table,
    key: 'id',
    cursor: 'updated_at',
    deleted: undefined,
    columns,
    batchSize: 1_000,
    lookback: 0,
    ...overrides,
  };
}

/** A target spec with test defaults: key `id`, hard deletes. */
export function targetSpec(
  table: string,
  columns: readonly string[],
  overrides: Partial<TargetSpec> = {},
): TargetSpec {
  return {
    flow: 'test-flow',
    table,
    key: 'id',
    columns,
    types: {},
    onDelete: { mode: 'hard' },
    ...overrides,
  };
}

/** An upsert record keyed by `values.id`. */
export function upsert(values: Row & { id: string | number }): TargetRecord {
  return { key: String(values.id), op: 'upsert', values };
}

/** Reads every batch after `since`; returns the changes and the last checkpoint. */
export async function readAll(
  connector: Connector,
  source: SourceSpec,
  since: Checkpoint | undefined,
): Promise<{ changes: Change[]; batches: ChangeBatch[]; checkpoint: Checkpoint | undefined }> {
  const batches: ChangeBatch[] = [];
  for await (const batch of connector.readChanges(source, since, new AbortController().signal))
    batches.push(batch);
  return {
    changes: batches.flatMap((batch) => batch.changes),
    batches,
    checkpoint: batches.at(-1)?.checkpoint ?? since,
  };
}

/** A signal that is never aborted. */
export function liveSignal(): AbortSignal {
  return new AbortController().signal;
}
