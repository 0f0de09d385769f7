/** One page of a list, newest first, and where the next one starts. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `before` to get the next (older) page; undefined on the last page. */
  readonly nextBefore: number | undefined;
}

/** Which page of a list: at most `limit` items, older than the item with id `before`. */
export interface PageRequest {
  /** Items per page; default 50, at most 1,000. */
  readonly limit?: number;
  /** Only items with an id below this one (the previous page's `nextBefore`). */
  readonly before?: number;
}

/** Items per page when the request names none. */
export const DEFAULT_PAGE_SIZE = 50;
/** The largest page a request may ask for. */
export const MAX_PAGE_SIZE = 1_000;

/** The page size a request asks for, bounded. */
export function pageSize(request: PageRequest): number {
  const limit = request.limit ?? DEFAULT_PAGE_SIZE;
  return Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(limit)));
}

/**
 * Reads one page through a keyset query (`fetch(limit, beforeId)`, newest first): one item more
 * than asked tells whether an older page exists, so no count is needed.
 */
export async function readPage<T extends { readonly id: number }>(
  request: PageRequest,
  fetch: (limit: number, beforeId: number | undefined) => Promise<readonly T[]>,
): Promise<Page<T>> {
  const size = pageSize(request);
  const rows = await fetch(size + 1, request.before);
  const items = rows.slice(0, size);
  const last = items.at(-1);
  return { items, nextBefore: rows.length > size && last !== undefined ? last.id : undefined };
}

/**
 * Every item of a list, page by page (newest first), so a long list is never loaded whole. Items
 * changed while the walk goes on are seen at most once: the walk only moves to older ids.
 */
export async function* everyPage<T extends { readonly id: number }>(
  fetch: (limit: number, beforeId: number | undefined) => Promise<readonly T[]>,
  size = MAX_PAGE_SIZE,
): AsyncGenerator<readonly T[]> {
  let before: number | undefined;
  for (;;) {
    const page = await readPage({ limit: size, ...(before === undefined ? {} : { before }) }, fetch);
    if (page.items.length > 0) yield page.items;
    if (page.nextBefore === undefined) return;
    before = page.nextBefore;
  }
}
