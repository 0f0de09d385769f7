// What every state store's list and count queries filter on; each store writes its own SQL from it.

/** Equality filters of a list query by column; an undefined value means "not filtered". */
export type ListFilters = Readonly<Record<string, string | undefined>>;

/** What a list or count query keeps: equal columns, ids below `beforeId`, rows of `keys`. */
export interface ListConditions {
  readonly filters: ListFilters;
  readonly beforeId?: number | undefined;
  /** Only rows whose `key` column is one of these (dead letters). */
  readonly keys?: readonly string[] | undefined;
}
