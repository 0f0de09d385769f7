import type pg from 'pg';

/** One side of a comparison: a table, its key column and the columns that must be equal. */
export interface DigestedTable {
  readonly pool: pg.Pool;
  readonly table: string;
  readonly key: string;
  /** Compared columns; each side's must have the same types, so their canonical text is the same. */
  readonly columns: readonly string[];
}

/** How a target differs from its source, row by row (at most `shown` keys of each kind). */
export interface TableDifference {
  readonly sourceRows: number;
  readonly targetRows: number;
  /** Keys of source rows the target lacks. */
  readonly missing: readonly string[];
  /** Keys the target holds and the source does not. */
  readonly extra: readonly string[];
  /** Keys whose row differs. */
  readonly differing: readonly string[];
}

/**
 * Key → md5 of the row's canonical text (PostgreSQL's text of `ROW(key, columns…)`), and the count
 * of rows counted in the database, so a duplicated key could not hide behind the map.
 */
async function digests(side: DigestedTable): Promise<{ count: number; rows: Map<string, string> }> {
  const row = `ROW(${[side.key, ...side.columns].join(', ')})`;
  const [counted, listed] = await Promise.all([
    side.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${side.table}`),
    side.pool.query<{ key: string; digest: string }>(
      `SELECT ${side.key}::text AS key, md5(${row}::text) AS digest FROM ${side.table}`,
    ),
  ]);
  return {
    count: Number(counted.rows[0]?.n),
    rows: new Map(listed.rows.map((entry) => [entry.key, entry.digest])),
  };
}

/** Compares a target table with its source, count and per-row checksum. */
export async function compareTables(
  source: DigestedTable,
  target: DigestedTable,
  shown = 10,
): Promise<TableDifference> {
  const [from, to] = await Promise.all([digests(source), digests(target)]);
  const missing: string[] = [];
  const differing: string[] = [];
  for (const [key, digest] of from.rows) {
    const other = to.rows.get(key);
    if (other === undefined) missing.push(key);
    else if (other !== digest) differing.push(key);
  }
  const extra = [...to.rows.keys()].filter((key) => !from.rows.has(key));
  return {
    sourceRows: from.count,
    targetRows: to.count,
    missing: missing.slice(0, shown),
    extra: extra.slice(0, shown),
    differing: differing.slice(0, shown),
  };
}

/** Whether the target holds exactly the source's rows. */
export function isSame(difference: TableDifference): boolean {
  return (
    difference.sourceRows === difference.targetRows &&
    difference.missing.length === 0 &&
    difference.extra.length === 0 &&
    difference.differing.length === 0
  );
}
