import type pg from 'pg';
import type mysql from 'mysql2/promise';

/**
 * A table's content in a form both databases compute alike: the row count and the sum of the first
 * 32 bits of md5 over each row's text (`key|external_code|name|email|phone|city|credit_limit|status|0/1`,
 * NULL as `<NULL>`, decimals with their 4 places). Equal digests mean equal rows, up to md5 collisions.
 */
export interface TableDigest {
  readonly rows: number;
  /** Decimal text: the sum can exceed 2^53. */
  readonly digest: string;
}

const NULL_MARK = "'<NULL>'";

function postgresRowText(key: string): string {
  const text = (column: string): string => `coalesce(${column}::text, ${NULL_MARK})`;
  return `concat_ws('|', ${key}::text, ${['external_code', 'name', 'email', 'phone', 'city', 'credit_limit', 'status'].map(text).join(', ')}, CASE WHEN is_deleted THEN '1' ELSE '0' END)`;
}

function mysqlRowText(key: string): string {
  const text = (column: string): string => `COALESCE(CAST(${column} AS CHAR), ${NULL_MARK})`;
  return `CONCAT_WS('|', CAST(${key} AS CHAR), ${['external_code', 'name', 'email', 'phone', 'city', 'credit_limit', 'status'].map(text).join(', ')}, IF(is_deleted, '1', '0'))`;
}

/** The digest of a PostgreSQL table; `key` is `id` at the source and `crm_id` at a target. */
export async function postgresDigest(client: pg.Client, table: string, key: string): Promise<TableDigest> {
  const result = await client.query<{ rows: string; digest: string }>(
    `SELECT count(*)::text AS rows,
            coalesce(sum(('x' || substr(md5(${postgresRowText(key)}), 1, 8))::bit(32)::bigint), 0)::text AS digest
       FROM ${table}`,
  );
  const row = result.rows[0]!;
  return { rows: Number(row.rows), digest: row.digest };
}

/** The digest of a MariaDB/MySQL table, comparable with `postgresDigest`. */
export async function mysqlDigest(
  connection: mysql.Connection,
  table: string,
  key: string,
): Promise<TableDigest> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    `SELECT CAST(COUNT(*) AS CHAR) AS \`rows\`,
            CAST(COALESCE(SUM(CAST(CONV(SUBSTR(MD5(${mysqlRowText(key)}), 1, 8), 16, 10) AS UNSIGNED)), 0) AS CHAR) AS digest
       FROM \`${table}\``,
  );
  const row = rows[0]!;
  return { rows: Number(row.rows), digest: String(row.digest) };
}

/** Throws, naming the case and both digests, unless the target holds exactly the source rows. */
export function assertSameDigest(caseName: string, source: TableDigest, target: TableDigest): void {
  if (source.rows !== target.rows || source.digest !== target.digest) {
    throw new Error(
      `CHECK FAILED after "${caseName}": target has ${target.rows} rows (digest ${target.digest}), ` +
        `source has ${source.rows} rows (digest ${source.digest})`,
    );
  }
}
