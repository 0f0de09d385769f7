import type { CellValue, ValueKind } from './value-kinds.js';

/** One column type of a connector: its DDL, and which values it cannot hold (with the reason). */
export interface CatalogueType {
  /** What the column holds. */
  readonly kind: ValueKind;
  /** The column type as the database spells it in CREATE TABLE. */
  readonly ddl: string;
  /** Why this column cannot hold `value`, or undefined when it can hold it exactly. */
  refuses(value: CellValue): string | undefined;
}

/** The column types a connector supports; a new connector joins the matrix by adding one. */
export interface TypeCatalogue {
  /** The connector type, as in `connections:`. */
  readonly connector: 'postgres' | 'mysql' | 'sqlite';
  /** Name in the docs. */
  readonly title: string;
  /** At most one type per kind. */
  readonly types: readonly CatalogueType[];
}

const isNonFinite = (value: CellValue): boolean => typeof value === 'number' && !Number.isFinite(value);
const isMinusZero = (value: CellValue): boolean => Object.is(value, -0);
const isInfinity = (value: CellValue): boolean => value === 'infinity' || value === '-infinity';
const hasNul = (value: CellValue): boolean => typeof value === 'string' && value.includes('\u0000');

/** UTC epoch ms of a zoned ISO timestamp (µs as a fraction), or undefined for ±infinity. */
function instantMs(value: CellValue): number | undefined {
  if (typeof value !== 'string' || isInfinity(value)) return undefined;
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|([+-])(\d\d):(\d\d))$/.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zone, sign, oh, om] = match;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  const offsetMs = zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return date.getTime() - offsetMs + Number(`0.${fraction}0`) * 1_000;
}

// MariaDB keeps 1970-01-01 00:00:00.000000 UTC for the zero date; a microsecond later is a value.
const MYSQL_TIMESTAMP_MIN_MS = 0;
const MYSQL_TIMESTAMP_MAX_MS = Date.UTC(2038, 0, 19, 3, 14, 8);

const holdsAll = (): undefined => undefined;
const when =
  (test: (value: CellValue) => boolean, reason: string) =>
  (value: CellValue): string | undefined =>
    test(value) ? reason : undefined;
const NO_INFINITY = 'has no ±infinity: only calendar values';

/** PostgreSQL: the reference source; refuses NUL in text and nothing else of the matrix. */
export const POSTGRES_CATALOGUE: TypeCatalogue = {
  connector: 'postgres',
  title: 'PostgreSQL',
  types: [
    { kind: 'float', ddl: 'double precision', refuses: holdsAll },
    { kind: 'decimal', ddl: 'numeric(20,6)', refuses: holdsAll },
    { kind: 'int64', ddl: 'bigint', refuses: holdsAll },
    { kind: 'int32', ddl: 'integer', refuses: holdsAll },
    { kind: 'text', ddl: 'text', refuses: when(hasNul, 'text cannot hold NUL (0x00) characters') },
    { kind: 'varchar', ddl: 'varchar(20)', refuses: when(hasNul, 'text cannot hold NUL (0x00) characters') },
    { kind: 'flagText', ddl: 'varchar(5)', refuses: holdsAll },
    { kind: 'flagInt', ddl: 'smallint', refuses: holdsAll },
    { kind: 'boolean', ddl: 'boolean', refuses: holdsAll },
    { kind: 'date', ddl: 'date', refuses: holdsAll },
    { kind: 'timestamp', ddl: 'timestamp(6)', refuses: holdsAll },
    { kind: 'timestamptz', ddl: 'timestamptz(6)', refuses: holdsAll },
    { kind: 'json', ddl: 'jsonb', refuses: holdsAll },
    { kind: 'uuid', ddl: 'uuid', refuses: holdsAll },
  ],
};

/** MariaDB/MySQL: no non-finite doubles or -0, no numeric NaN, no ±infinity, TIMESTAMP 1970–2038, TEXT 64 KiB. */
export const MYSQL_CATALOGUE: TypeCatalogue = {
  connector: 'mysql',
  title: 'MySQL/MariaDB',
  types: [
    {
      kind: 'float',
      ddl: 'DOUBLE',
      refuses: (value) =>
        isNonFinite(value)
          ? 'DOUBLE has no NaN or ±Infinity'
          : isMinusZero(value)
            ? 'DOUBLE stores -0 as 0'
            : undefined,
    },
    { kind: 'decimal', ddl: 'DECIMAL(20,6)', refuses: when((v) => v === 'NaN', 'DECIMAL has no NaN') },
    { kind: 'int64', ddl: 'BIGINT', refuses: holdsAll },
    { kind: 'int32', ddl: 'INT', refuses: holdsAll },
    {
      kind: 'text',
      ddl: 'TEXT',
      refuses: when(
        (v) => typeof v === 'string' && Buffer.byteLength(v) > 65_535,
        'TEXT holds at most 65,535 bytes',
      ),
    },
    { kind: 'varchar', ddl: 'VARCHAR(20)', refuses: holdsAll },
    { kind: 'flagText', ddl: 'VARCHAR(5)', refuses: holdsAll },
    { kind: 'flagInt', ddl: 'TINYINT', refuses: holdsAll },
    { kind: 'boolean', ddl: 'BOOLEAN', refuses: holdsAll },
    { kind: 'date', ddl: 'DATE', refuses: when(isInfinity, `DATE ${NO_INFINITY}`) },
    { kind: 'timestamp', ddl: 'DATETIME(6)', refuses: when(isInfinity, `DATETIME ${NO_INFINITY}`) },
    {
      kind: 'timestamptz',
      ddl: 'TIMESTAMP(6)',
      refuses: (value) => {
        if (isInfinity(value)) return `TIMESTAMP ${NO_INFINITY}`;
        const ms = instantMs(value);
        return ms !== undefined && (ms <= MYSQL_TIMESTAMP_MIN_MS || ms >= MYSQL_TIMESTAMP_MAX_MS)
          ? 'TIMESTAMP holds 1970-01-01 00:00:00.000001 … 2038-01-19 03:14:07.999999 UTC only'
          : undefined;
      },
    },
    { kind: 'json', ddl: 'JSON', refuses: holdsAll },
    { kind: 'uuid', ddl: 'CHAR(36)', refuses: holdsAll },
  ],
};

/**
 * SQLite: type affinity decides; REAL has no NaN (it reads back NULL) and no -0. Decimals are declared
 * `DECIMAL TEXT(p,s)` (TEXT affinity) so they stay exact; a CHECK gives varchar its length.
 */
export const SQLITE_CATALOGUE: TypeCatalogue = {
  connector: 'sqlite',
  title: 'SQLite',
  types: [
    {
      kind: 'float',
      ddl: 'REAL',
      refuses: (value) =>
        isNonFinite(value)
          ? 'Syncline writes only finite numbers to SQLite (REAL has no NaN; ±Infinity would not survive its text digest)'
          : isMinusZero(value)
            ? 'REAL stores -0 as 0'
            : undefined,
    },
    // TEXT affinity: a decimal, date or timestamp is kept as the text it was written as, NaN and infinity too.
    { kind: 'decimal', ddl: 'DECIMAL TEXT(20,6)', refuses: holdsAll },
    { kind: 'int64', ddl: 'INTEGER', refuses: holdsAll },
    { kind: 'int32', ddl: 'INTEGER', refuses: holdsAll },
    { kind: 'text', ddl: 'TEXT', refuses: holdsAll },
    { kind: 'varchar', ddl: 'VARCHAR(20) CHECK (length(c_varchar) <= 20)', refuses: holdsAll },
    { kind: 'flagText', ddl: 'VARCHAR(5)', refuses: holdsAll },
    { kind: 'flagInt', ddl: 'INTEGER', refuses: holdsAll },
    { kind: 'boolean', ddl: 'BOOLEAN', refuses: holdsAll },
    { kind: 'date', ddl: 'DATE', refuses: holdsAll },
    { kind: 'timestamp', ddl: 'TIMESTAMP', refuses: holdsAll },
    { kind: 'timestamptz', ddl: 'TIMESTAMPTZ', refuses: holdsAll },
    { kind: 'json', ddl: 'JSON', refuses: holdsAll },
    { kind: 'uuid', ddl: 'TEXT', refuses: holdsAll },
  ],
};

/** Every connector of the matrix; each is a source and a target. */
export const TYPE_CATALOGUES: readonly TypeCatalogue[] = [
  POSTGRES_CATALOGUE,
  MYSQL_CATALOGUE,
  SQLITE_CATALOGUE,
];
