import mysql from 'mysql2/promise';
import type pg from 'pg';
import { createMysqlDatabase, createPostgresDatabase, postgresTestPool } from './databases.js';

/** A PostgreSQL CRM and a MariaDB ERP made for one test file, with a pool on each. */
export interface CrmErpDatabases {
  /** Connection URLs, for `CRM_URL` and `ERP_URL` in a syncline.yaml. */
  readonly crmUrl: string;
  readonly erpUrl: string;
  readonly crm: pg.Pool;
  /** Dates as strings and big numbers as text, so values compare exactly. */
  readonly erp: mysql.Pool;
  /** Rows of a query on the ERP. */
  erpRows(sql: string, params?: readonly (string | number | null)[]): Promise<Record<string, unknown>[]>;
  /** Closes the pools and drops both databases. */
  drop(): Promise<void>;
}

/** Creates a fresh CRM database (PostgreSQL) and ERP database (MariaDB) named after `label`. */
export async function createCrmErpDatabases(label: string): Promise<CrmErpDatabases> {
  const [crmDatabase, erpDatabase] = await Promise.all([
    createPostgresDatabase(`${label}_crm`),
    createMysqlDatabase(`${label}_erp`),
  ]);
  const crm = postgresTestPool({ connectionString: crmDatabase.url, max: 2 });
  const erp = mysql.createPool({
    uri: erpDatabase.url,
    connectionLimit: 2,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
  });
  return {
    crmUrl: crmDatabase.url,
    erpUrl: erpDatabase.url,
    crm,
    erp,
    erpRows: async (sql, params = []) => {
      const [rows] = await erp.query<mysql.RowDataPacket[]>(sql, [...params]);
      return rows;
    },
    drop: async () => {
      await Promise.all([crm.end(), erp.end()]);
      await Promise.all([crmDatabase.drop(), erpDatabase.drop()]);
    },
  };
}
