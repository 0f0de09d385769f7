import type { TargetSpec } from './connector.js';
import { ConnectorError } from './errors.js';

/** Every scratch table's name starts with this; connectors refuse to create or drop any other. */
export const SCRATCH_TABLE_PREFIX = 'syncline_probe_';

const SCRATCH_NAME = /^syncline_probe_[a-z0-9]{1,40}$/;

/**
 * Throws CONFIG_INVALID unless `name` is a scratch table name (`syncline_probe_<lower-case hex or
 * digits>`), so `syncline probe` can never create, fill or drop a business table.
 */
export function assertScratchTableName(name: string): void {
  if (!SCRATCH_NAME.test(name))
    throw new ConnectorError(
      'CONFIG_INVALID',
      `refusing scratch table ${JSON.stringify(name)}: a scratch table's name is "${SCRATCH_TABLE_PREFIX}" followed by up to 40 lower-case letters or digits; no SQL was run`,
    );
}

/**
 * How the probe writes a scratch table: the same columns in every connector, about 250 bytes a
 * row — `id` (text key, at most 64 characters), `account` (text, 64), `amount` (decimal 18,4),
 * `status` (text, 16), `note` (text, 200) and `updated_at` (naive timestamp).
 */
export function scratchTargetSpec(name: string): TargetSpec {
  assertScratchTableName(name);
  return {
    flow: `probe:${name}`,
    table: name,
    key: 'id',
    columns: ['id', 'account', 'amount', 'status', 'note', 'updated_at'],
    types: {
      id: 'string',
      account: 'string',
      amount: 'decimal',
      status: 'string',
      note: 'string',
      updated_at: 'timestamp',
    },
    onDelete: { mode: 'hard' },
  };
}
