import type pg from 'pg';
import type mysql from 'mysql2/promise';

/** Columns copied from the source `customers` table to every target, in target order (key first). */
export const TARGET_COLUMNS = [
  'crm_id',
  'external_code',
  'name',
  'email',
  'phone',
  'city',
  'credit_limit',
  'status',
  'is_deleted',
] as const;

/** The source columns feeding `TARGET_COLUMNS`, in the same order (`id` → `crm_id`). */
export const SOURCE_COLUMNS = [
  'id',
  'external_code',
  'name',
  'email',
  'phone',
  'city',
  'credit_limit',
  'status',
  'is_deleted',
] as const;

const list = (values: readonly string[]): string =>
  `ARRAY[${values.map((value) => `'${value}'`).join(', ')}]`;

const CN_CITIES = [
  '北京',
  '上海',
  '深圳',
  '广州',
  '杭州',
  '成都',
  '南京',
  '武汉',
  '苏州',
  '西安',
  '重庆',
  '天津',
];
const CN_DISTRICTS = ['', '', '浦东', '朝阳', '南山', '天河', '西湖', '高新区', '江宁', '武昌'];
const CN_WORDS = [
  '华新',
  '宏达',
  '远航',
  '金桥',
  '恒信',
  '瑞丰',
  '长城',
  '东方',
  '新世纪',
  '中科',
  '天成',
  '鼎盛',
  '德润',
  '嘉禾',
  '蓝海',
  '万通',
];
const CN_TRADES = [
  '贸易',
  '科技',
  '电子',
  '机械',
  '物流',
  '食品',
  '医药',
  '建材',
  '化工',
  '纺织',
  '信息技术',
  '环保工程',
];
const CN_SUFFIXES = ['有限公司', '股份有限公司', '集团有限公司'];
const CN_SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '欧阳', '司马'];
const CN_GIVEN = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '艳',
  '勇',
  '杰',
  '娟',
  '涛',
];
const EN_WORDS = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Tailspin',
  'Adventure Works',
  'Wide World',
  'Blue Yonder',
  'Litware',
  'Proseware',
  'Lucerne',
  'Alpine Ski',
  'Coho Vineyard',
  'Fourth Coffee',
  'Humongous',
  'Woodgrove',
  'Trey Research',
];
const EN_TRADES = [
  'Trading',
  'Precision Components',
  'Logistics',
  'Electronics',
  'Foods',
  'Pharmaceuticals',
  'Building Materials',
  'Chemicals',
  'Textiles',
  'Software',
  'Machinery',
  'Environmental Services',
];
const EN_SUFFIXES = ['Co., Ltd.', 'Ltd.', 'Inc.', 'Holdings Ltd.', 'International Ltd.', 'GmbH'];
const EN_FIRST = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'Michael',
  'Jennifer',
  'David',
  'Linda',
  "O'Brien",
  'Emma',
  'Oliver',
  'Sophia',
];
const EN_LAST = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Wilson',
  'Anderson',
  'Taylor',
  'Thomas',
];
const EN_REGIONS = [
  '(Shanghai)',
  '(Shenzhen)',
  '(Beijing)',
  '(Hong Kong)',
  '(Suzhou)',
  '(Asia Pacific)',
  '',
  '',
];
const REGION_CODES = ['CN', 'CN', 'CN', 'HK', 'SG', 'DE', 'UK', 'US'];
const CONTACTS = [
  'sales',
  'purchasing',
  'finance',
  'info',
  'contact',
  'service',
  'zhang.wei',
  'wang.fang',
  'li.na',
  'liu.yang',
  'john.smith',
  'emma.jones',
  'procurement',
  'accounts.payable',
];
const DOMAINS = [
  'example.com',
  'example.cn',
  'mail.example.org',
  'corp.example.net',
  'trade.example.com.cn',
  'example.hk',
  'qiye.example.cn',
];
const CITIES = [
  'Beijing',
  'Shanghai',
  'Shenzhen',
  'Guangzhou',
  '杭州',
  '成都',
  '南京',
  'Wuhan',
  'Suzhou',
  "Xi'an",
  'Hong Kong',
  'Singapore',
  'Frankfurt',
  'London',
];
const STATUSES = ['active', 'active', 'active', 'inactive', 'prospect', 'suspended'];

const pick = (values: readonly string[], hash: string): string =>
  `(${list(values.map((value) => value.replace(/'/g, "''")))})[1 + ${hash} % ${values.length}]`;

/**
 * Fills `table` with rows 1..$1 in one server-side statement. Every value is a deterministic
 * function of the id (32-bit words of md5(id)), so two runs hold the same data;
 * updated_at spreads over two years in the past with microseconds, ~1% of rows are soft-deleted,
 * some phones and credit limits are NULL, and names mix Chinese and English.
 */
function insertCustomersSql(table: string): string {
  return `
INSERT INTO ${table} (id, external_code, name, email, phone, city, credit_limit, status, is_deleted, updated_at)
SELECT h.id,
  'CRM-' || ${pick(REGION_CODES, 'h.e')} || '-' || lpad(h.id::text, 10, '0'),
  CASE
    WHEN h.a % 10 < 4 THEN ${pick(CN_CITIES, 'h.b')} || ${pick(CN_DISTRICTS, 'h.e')} || ${pick(CN_WORDS, 'h.c')} || ${pick(CN_TRADES, 'h.d')} || ${pick(CN_SUFFIXES, 'h.e')}
    WHEN h.a % 10 = 4 THEN ${pick(CN_SURNAMES, 'h.b')} || ${pick(CN_GIVEN, 'h.c')}
    WHEN h.a % 10 < 9 THEN ${pick(EN_WORDS, 'h.b')} || ' ' || ${pick(EN_TRADES, 'h.c')} || ' ' || ${pick(EN_REGIONS, 'h.e')} || ' ' || ${pick(EN_SUFFIXES, 'h.d')}
    ELSE ${pick(EN_FIRST, 'h.b')} || ' ' || ${pick(EN_LAST, 'h.c')}
  END,
  ${pick(CONTACTS, 'h.d')} || '.' || h.id || '@' || lower(replace(${pick(EN_WORDS, 'h.b')}, ' ', '-')) || '.' || ${pick(DOMAINS, 'h.e')},
  CASE WHEN h.b % 20 = 0 THEN NULL
       ELSE '+86 1' || (30 + h.c % 60) || ' ' || lpad((h.d % 10000)::text, 4, '0') || ' ' || lpad((h.e % 10000)::text, 4, '0') END,
  ${pick(CITIES, 'h.c')},
  CASE WHEN h.c % 50 = 0 THEN NULL ELSE (h.d % 100000000)::numeric / 100 + (h.e % 100)::numeric / 10000 END,
  ${pick(STATUSES, 'h.e')},
  h.a % 100 = 7,
  timestamptz '2023-01-01 00:00:00+00' + (h.b % 63072000) * interval '1 second' + (h.c % 1000000) * interval '1 microsecond'
FROM (
  -- OFFSET 0 keeps the planner from inlining the hashes into every use (md5 once per row).
  SELECT m.id AS id,
         ('x' || substr(m.m1, 1, 8))::bit(32)::bigint AS a,
         ('x' || substr(m.m1, 9, 8))::bit(32)::bigint AS b,
         ('x' || substr(m.m1, 17, 8))::bit(32)::bigint AS c,
         ('x' || substr(m.m1, 25, 8))::bit(32)::bigint AS d,
         ('x' || substr(m.m2, 1, 8))::bit(32)::bigint AS e
  FROM (SELECT g.id, md5(g.id::text) AS m1, md5(g.id::text || ':bench') AS m2
        FROM generate_series(1::bigint, $1::bigint) AS g(id) OFFSET 0) AS m
  OFFSET 0
) AS h`;
}

/**
 * Creates the source table `customers(...)` with an index on (updated_at, id) and fills it with
 * `rows` generated rows. Keys and indexes are built after the load, then the table is analysed,
 * as a real table would be. Not timed.
 */
export async function createSourceTable(client: pg.Client, table: string, rows: number): Promise<void> {
  await client.query(`
    CREATE TABLE ${table} (
      id bigint NOT NULL,
      external_code varchar(32),
      name varchar(255),
      email varchar(255),
      phone varchar(32),
      city varchar(100),
      credit_limit numeric(18,4),
      status varchar(16),
      is_deleted boolean DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await client.query(insertCustomersSql(table), [rows]);
  await client.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
  await client.query(`CREATE INDEX ${table}_updated_at_id ON ${table} (updated_at, id)`);
  await client.query(`VACUUM ANALYZE ${table}`);
}

/** Average bytes of a source row as PostgreSQL stores it: heap size (with its page overhead) per row. */
export async function averageRowBytes(client: pg.Client, table: string): Promise<number> {
  const result = await client.query<{ bytes: string }>(
    `SELECT (pg_relation_size('${table}')::numeric / greatest(count(*), 1))::numeric(12,1)::text AS bytes FROM ${table}`,
  );
  return Number(result.rows[0]!.bytes);
}

/** Creates a PostgreSQL target table: `crm_id` key, the mapped columns and `is_deleted`. */
export async function createPostgresTarget(client: pg.Client, table: string): Promise<void> {
  await client.query(`
    CREATE TABLE ${table} (
      crm_id bigint PRIMARY KEY,
      external_code varchar(32),
      name varchar(255),
      email varchar(255),
      phone varchar(32),
      city varchar(100),
      credit_limit numeric(18,4),
      status varchar(16),
      is_deleted boolean NOT NULL DEFAULT false
    )`);
}

/** Creates a MariaDB target table (InnoDB, utf8mb4): `crm_id` key, the mapped columns and `is_deleted`. */
export async function createMysqlTarget(connection: mysql.Connection, table: string): Promise<void> {
  await connection.query(`
    CREATE TABLE \`${table}\` (
      crm_id bigint NOT NULL PRIMARY KEY,
      external_code varchar(32),
      name varchar(255),
      email varchar(255),
      phone varchar(32),
      city varchar(100),
      credit_limit decimal(18,4),
      status varchar(16),
      is_deleted boolean NOT NULL DEFAULT 0
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
}

/** The newest (updated_at, id) of a source table: where an incremental pass resumes. */
export interface CursorPosition {
  /** updated_at as PostgreSQL prints it (microseconds and offset kept). */
  readonly cursor: string;
  /** The id, as text. */
  readonly key: string;
}

/** The newest (updated_at, id) of `table`. */
export async function highWaterMark(client: pg.Client, table: string): Promise<CursorPosition> {
  const result = await client.query<{ cursor: string; key: string }>(
    `SELECT updated_at::text AS cursor, id::text AS key FROM ${table} ORDER BY updated_at DESC, id DESC LIMIT 1`,
  );
  const row = result.rows[0];
  if (row === undefined) throw new Error(`source table ${table} is empty`);
  return row;
}

/** Distinct ids in 1..rows, chosen by a seeded generator so every run changes the same rows. */
function randomIds(rows: number, count: number, seed: number): number[] {
  let state = seed >>> 0;
  const next = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ids = new Set<number>();
  while (ids.size < count) ids.add(1 + Math.floor(next() * rows));
  return [...ids];
}

/**
 * Changes `count` random rows of `table` the way an application would: updated_at = now(),
 * credit limit raised, status toggled. Returns how many rows changed.
 */
export async function changeRandomRows(
  client: pg.Client,
  table: string,
  rows: number,
  count: number,
): Promise<number> {
  const ids = randomIds(rows, count, rows * 31 + count);
  const result = await client.query(
    `UPDATE ${table}
        SET updated_at = now(),
            credit_limit = coalesce(credit_limit, 0) + 1000.5,
            status = CASE status WHEN 'active' THEN 'inactive' ELSE 'active' END
      WHERE id = ANY($1::bigint[])`,
    [ids],
  );
  return result.rowCount ?? 0;
}
