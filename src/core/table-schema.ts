import type { ColumnKind } from './values.js';

/** A column of a live table. */
export interface ColumnInfo {
  /** Column name, as the database spells it. */
  readonly name: string;
  /** The database's own type name, e.g. `numeric(18,4)` or `varchar(255)`. */
  readonly nativeType: string;
  /** The canonical kind Syncline reads the column's values as. */
  readonly kind: ColumnKind;
  /** Whether the column accepts NULL. */
  readonly nullable: boolean;
  /** Maximum length in characters, for bounded text columns. */
  readonly maxLength?: number;
  /** Total digits, for decimals. */
  readonly precision?: number;
  /** Digits after the point, for decimals. */
  readonly scale?: number;
  /** Whether the column has a default or is generated, so it may be omitted on insert. */
  readonly hasDefault: boolean;
}

/** A live table as a connector sees it. */
export interface TableSchema {
  /** The table described. */
  readonly table: string;
  /** Its columns. */
  readonly columns: readonly ColumnInfo[];
  /** Column sets with a unique index or primary key. */
  readonly uniqueKeys: readonly (readonly string[])[];
}
